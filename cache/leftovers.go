package cache

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// staleAge is how old a temporary file or directory must be before
// [Cache.GC] takes it for the leftover of a dead writer.
const staleAge = time.Hour

// leftovers removes, or with dryRun lists, what dead processes left:
// temporary entry directories older than staleAge whose entry lock is
// free, set-aside and trashed entry directories, and record temporary
// files older than staleAge.
func (c *Cache) leftovers(ctx context.Context, dryRun bool, r *GCReport) error {
	now := c.now()
	old := func(de fs.DirEntry) bool {
		fi, err := de.Info()
		return err == nil && now.Sub(fi.ModTime()) > staleAge
	}
	found := func(p string) {
		n := dirSize(p)
		if !dryRun {
			if removeAll(p) != nil {
				return
			}
		}
		r.Leftovers = append(r.Leftovers, Leftover{Path: p, Bytes: n})
		r.Freed += n
	}
	des, err := os.ReadDir(c.entries)
	if err != nil {
		return err
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, p := de.Name(), filepath.Join(c.entries, de.Name())
		switch {
		case strings.HasPrefix(n, ".damaged-"), strings.HasPrefix(n, ".trash-"):
			found(p)
		case strings.HasPrefix(n, ".tmp-") && old(de):
			entry := strings.TrimPrefix(n, ".tmp-")
			if i := strings.LastIndexByte(entry, '-'); i > 0 {
				entry = entry[:i]
			}
			unlock, ok, err := tryLockFile(filepath.Join(c.entries, entry+".lock"))
			if err != nil {
				return err
			}
			if ok {
				found(p) // its writer died: a live one holds the lock
				if err := unlock(); err != nil {
					return err
				}
			}
		}
	}
	for _, sub := range []string{"refs", "indexes", "pins"} {
		des, err := os.ReadDir(filepath.Join(c.dir, sub))
		if err != nil {
			continue
		}
		for _, de := range des {
			if n := de.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") && old(de) {
				found(filepath.Join(c.dir, sub, n))
			}
		}
	}
	return nil
}

// dirSize returns the total size of the regular files under p.
func dirSize(p string) int64 {
	var n int64
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
