package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openshell-contrib/supctl/manifest"
)

// OpenExisting opens the cache in dir like [Open], with the same checks,
// but creates nothing at all: a cache directory that does not exist gives
// an error matching [fs.ErrNotExist], and a directory that lacks entries/,
// refs/, indexes/ or pins/ is opened as a cache without them (empty there)
// and left as it is. Commands that only read the cache (listing,
// verifying without repair, a dry-run collection, doctor) use it, so
// pointing them at any directory, or running them on a fresh machine,
// leaves nothing behind.
func OpenExisting(dir string) (*Cache, error) {
	if strings.HasPrefix(dir, "~") {
		return Open(dir) // refused there, with the reason
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cache directory %q: %w", dir, err)
	}
	if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cache directory %s does not exist yet (the first pull creates it): %w", abs, fs.ErrNotExist)
	}
	if err := checkAncestors(abs); err != nil {
		return nil, err
	}
	if err := checkOpenDir(abs); err != nil {
		return nil, err
	}
	c := &Cache{dir: abs, entries: filepath.Join(abs, "entries"), records: manifest.ExistingStore(abs), now: time.Now, heldGrace: heldGrace}
	c.dirs = append([]string{abs, c.entries}, c.records.Dirs()...)
	for _, p := range c.dirs[1:] {
		if err := checkOpenDir(p); err != nil && !missingSub(c, p, err) {
			return nil, err
		}
	}
	return c, nil
}

// missingSub reports whether err, from checking the directory p of c,
// says only that p does not exist: a cache opened by [OpenExisting] may
// lack its subdirectories, which then hold nothing.
func missingSub(c *Cache, p string, err error) bool {
	return p != c.dir && errors.Is(err, fs.ErrNotExist)
}

// readEntriesDir lists the entries directory; a missing one is empty.
func (c *Cache) readEntriesDir() ([]os.DirEntry, error) {
	des, err := os.ReadDir(c.entries)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return des, err
}
