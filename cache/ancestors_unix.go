//go:build unix

package cache

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks bounds the symbolic links followed while checking the
// ancestors of a cache directory, as the kernel bounds them (ELOOP).
const maxLinks = 40

// checkAncestors checks every directory above the cache directory dir (an
// absolute path), from / down, following symbolic links as the kernel
// does: each must belong to root or to the caller and, unless it has the
// sticky bit, must not be writable by its group or by others; each link
// met on the way must belong to root or to the caller. Anyone else who
// could rename or replace one of them could swap the cache, and every
// path it handed out, for a directory of their own. Below a directory
// with the sticky bit (/tmp) only the owner of a name may rename it, and
// the rule makes that owner root or the caller. It changes nothing.
func checkAncestors(dir string) error { return checkAncestorsAs(dir, os.Geteuid()) }

// checkAncestorsAs is checkAncestors for a caller whose effective uid is
// uid.
func checkAncestorsAs(dir string, uid int) error {
	if err := checkAncestor("/", dir, uid); err != nil {
		return err
	}
	todo, cur, links := split(filepath.Dir(dir)), "/", 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return fmt.Errorf("cache directory %s: %w", dir, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if err := checkAncestorInfo(next, fi, dir, uid); err != nil {
				return err
			}
			cur = next
			continue
		}
		if err := ancestorOwner(next, fi, dir, uid); err != nil {
			return err
		}
		if links++; links > maxLinks {
			return fmt.Errorf("cache directory %s: %w", dir, syscall.ELOOP)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return fmt.Errorf("cache directory %s: %w", dir, err)
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		todo = append(split(target), todo...)
	}
	return nil
}

// split returns the names of the path p, without empty ones.
func split(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkAncestor checks the directory p above the cache directory dir.
func checkAncestor(p, dir string, uid int) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("cache directory %s: %w", dir, err)
	}
	return checkAncestorInfo(p, fi, dir, uid)
}

// checkAncestorInfo checks what Lstat said of the directory p above the
// cache directory dir.
func checkAncestorInfo(p string, fi fs.FileInfo, dir string, uid int) error {
	if err := ancestorOwner(p, fi, dir, uid); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return ancestorError(p, fi, whyWritableAncestor+dir)
	}
	return nil
}

// ancestorOwner refuses the directory or link p above the cache directory
// dir unless root or the caller, of effective uid uid, owns it.
func ancestorOwner(p string, fi fs.FileInfo, dir string, uid int) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != uid {
		return ancestorError(p, fi, whyForeignAncestor+dir)
	}
	return nil
}

func ancestorError(p string, fi fs.FileInfo, why string) error {
	u := &UnsafeError{Path: p, Mode: fi.Mode(), Owner: -1, UID: os.Geteuid(), UserName: userName(os.Geteuid()), Why: why}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		u.Owner, u.OwnerName = int(st.Uid), userName(int(st.Uid))
	}
	return u
}
