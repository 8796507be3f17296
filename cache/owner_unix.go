//go:build unix

package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// checkInfo checks what Lstat said of the file or directory at p against
// the ownership rule (see the package documentation): owned by the caller,
// not writable by group or others, not a symlink, and a directory when dir
// is set. For a file, "not writable by others" covers the permission bits
// only: the caller owns it, so its mode is the caller's own.
func checkInfo(p string, fi fs.FileInfo, dir bool) error {
	return checkInfoAs(p, fi, dir, os.Geteuid())
}

// checkInfoAs is checkInfo for a caller whose effective uid is uid.
func checkInfoAs(p string, fi fs.FileInfo, dir bool, uid int) error {
	owner := -1
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		owner = int(st.Uid)
	}
	u := &UnsafeError{Path: p, Mode: fi.Mode(), Owner: owner, UID: uid}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		u.Why = "is a symbolic link"
	case dir && !fi.IsDir():
		u.Why = "is not a directory"
	case owner >= 0 && owner != uid:
		u.Why = "is not owned by you"
	case fi.Mode().Perm()&0o022 != 0:
		u.Why = "is writable by other users"
	default:
		return nil
	}
	u.OwnerName, u.UserName = userName(owner), userName(uid) // on failure only: they read /etc/passwd
	return u
}

// checkDir checks the directory at p, without following a symlink.
func checkDir(p string) error { return checkDirAs(p, os.Geteuid()) }

// checkDirAs is checkDir for a caller whose effective uid is uid.
func checkDirAs(p string, uid int) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("cache directory %s: %w", p, err)
	}
	return checkInfoAs(p, fi, true, uid)
}

// checkOpenDir opens the directory at p without following a symlink at
// its last element and checks what it opened: the check and the use are
// of the same directory even if p is replaced in between.
func checkOpenDir(p string) error {
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		if fi, lerr := os.Lstat(p); lerr == nil {
			return checkInfo(p, fi, true) // a symlink or not a directory
		}
		return fmt.Errorf("cache directory %s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cache directory %s: %w", p, err)
	}
	return checkInfo(p, fi, true)
}

// userName returns the name of the user with id uid, or "" if unknown.
func userName(uid int) string {
	if uid < 0 {
		return ""
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return ""
	}
	return u.Username
}

// lockOpenFlags are added to the flags every lock file is opened with:
// never follow a link, never block on a FIFO.
const lockOpenFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC

func openNoFollow(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// exclusivelyHeld reports whether a process holds an exclusive lock on the
// lock file at p, by taking a shared lock without waiting and releasing it.
// It opens the file read-only and creates nothing.
func exclusivelyHeld(p string) (bool, error) {
	f, err := openNoFollow(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// tryLockExisting takes the exclusive lock at p, if it is free at once,
// without creating the lock file: a missing one is free, and then nothing
// is locked. It is for looking without changing anything.
func tryLockExisting(p string) (unlock func() error, ok bool, err error) {
	f, err := openNoFollow(p)
	if errors.Is(err, fs.ErrNotExist) {
		return func() error { return nil }, true, nil
	}
	if err != nil {
		return nil, false, lockError(p, err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, false, f.Close()
	}
	if err != nil {
		f.Close()
		return nil, false, lockError(p, err)
	}
	return f.Close, true, nil // closing the only descriptor releases the lock
}
