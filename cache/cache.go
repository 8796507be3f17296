package cache

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/remedy"
)

const (
	// RehashInterval is how old the last full re-hash of an entry may be
	// before [Cache.Lookup] hashes the binary again.
	RehashInterval = 24 * time.Hour

	// usedInterval is how old an entry's last-use stamp may be before a
	// use bumps it.
	usedInterval = time.Hour

	recordName   = "entry.json"
	usedName     = ".used"
	verifiedName = ".verified"
)

// A Cache is a cache directory. Open one with [Open].
type Cache struct {
	dir     string
	entries string
	records *manifest.Store
	now     func() time.Time
	// heldGrace is how long a fill waits on an entry held in use before it
	// gives up (see lockForFill).
	heldGrace time.Duration
	sealed    sealMemo // records and seals checked by lookups
	// dirs are the cache directory and those it uses under it, which
	// every lookup checks again.
	dirs []string
}

// An Entry is a committed cache entry.
type Entry struct {
	manifest.Entry
	// Path is the absolute path of the binary.
	Path string
	// LastUsed is when the entry was last returned by a lookup (to within
	// an hour).
	LastUsed time.Time
}

// DefaultDir returns the default cache directory:
// $XDG_DATA_HOME/openshell/docker-supervisor, where XDG_DATA_HOME defaults
// to ~/.local/share.
func DefaultDir() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", &remedy.Error{Err: fmt.Errorf("finding the default cache directory: %w", err), Fix: remedy.Remedy{Action: remedy.CacheDir}}
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "openshell", "docker-supervisor"), nil
}

// Open opens the cache in dir, creating it (mode 0755) if needed. The
// cache directory and every directory Open uses under it must be owned by
// the caller, root included, must not be writable by group or others and
// must not be symbolic links; every directory above it must belong to root
// or the caller and not be writable by others unless sticky (see the
// package documentation); anything else is refused with an
// [*UnsafeError], matching [ErrUnsafeDir].
func Open(dir string) (*Cache, error) {
	if strings.HasPrefix(dir, "~") {
		// A shell would have expanded it; a library does not, and a
		// directory called "~" is never what was meant.
		return nil, fmt.Errorf("cache directory %q starts with ~, which is not expanded here: give an absolute path", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cache directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, writeError(abs, "creating the cache", err)
	}
	if err := checkAncestors(abs); err != nil {
		return nil, err
	}
	entries := filepath.Join(abs, "entries")
	for _, p := range []string{abs, entries} {
		if err := mkdirOwned(p); err != nil {
			return nil, writeError(abs, "creating the cache", err)
		}
		if err := checkOpenDir(p); err != nil {
			return nil, err
		}
	}
	st, err := manifest.OpenStore(abs)
	if err != nil {
		return nil, err
	}
	for _, p := range st.Dirs() {
		if err := checkOpenDir(p); err != nil {
			return nil, err
		}
	}
	c := &Cache{dir: abs, entries: entries, records: st, now: time.Now, heldGrace: heldGrace}
	c.dirs = append([]string{abs, entries}, st.Dirs()...)
	return c, nil
}

// mkdirOwned creates the directory p, mode 0755 whatever the umask, unless
// something is there already (which the caller then checks).
func mkdirOwned(p string) error {
	if _, err := os.Lstat(p); err == nil {
		return nil
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	return os.Chmod(p, 0o755)
}

// checkChain checks the cache directory and the directories it uses again,
// as [Open] did, for a caller whose effective uid is uid: before trusting
// what they hold.
func (c *Cache) checkChain(uid int) error {
	if err := checkAncestorsAs(c.dir, uid); err != nil {
		return err
	}
	for _, p := range c.dirs {
		if err := checkDirAs(p, uid); err != nil && !missingSub(c, p, err) {
			return err
		}
	}
	return nil
}

// Dir returns the cache's absolute directory.
func (c *Cache) Dir() string { return c.dir }

// Records returns the store of refs, indexes and pins kept in the cache.
func (c *Cache) Records() *manifest.Store { return c.records }

func (c *Cache) entryDir(k Key) string { return filepath.Join(c.entries, k.name()) }

// Lookup returns the entry for k after checking it against its record.
// A missing entry gives an error matching [ErrNotCached] (and so
// fs.ErrNotExist); an entry that fails its check gives one matching
// [ErrDamaged]; an entry whose record was written by a newer supctl gives
// one matching [manifest.ErrSchema].
func (c *Cache) Lookup(ctx context.Context, k Key) (*Entry, error) {
	if err := k.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e, err := c.check(k)
	if err != nil {
		return nil, err
	}
	c.touch(filepath.Join(c.entryDir(k), usedName), usedInterval)
	return e, nil
}

// check reads and verifies the entry for k without side effects other than
// refreshing its verification stamp after a full re-hash.
func (c *Cache) check(k Key) (*Entry, error) {
	uid := os.Geteuid()
	if err := c.checkChain(uid); err != nil {
		return nil, err
	}
	dir := c.entryDir(k)
	if fi, err := os.Lstat(dir); err == nil {
		if err := checkInfoAs(dir, fi, true, uid); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", k, err, ErrDamaged)
		}
	}
	// The record and seal, as checked by an earlier lookup if their files
	// have not changed since (see sealMemo), else read and checked now.
	rec, sl, known := c.sealed.recall(k, dir)
	start := time.Now()
	var data []byte
	if !known {
		rec = new(manifest.Entry)
		var err error
		data, err = manifest.ReadBytes(filepath.Join(dir, recordName), rec)
		if err != nil {
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("%s: %w", k, ErrNotCached)
			case errors.Is(err, manifest.ErrSchema):
				// Written by a newer supctl: neither usable nor replaceable.
				return nil, fmt.Errorf("cache entry %s: %w", k, err)
			}
			return nil, fmt.Errorf("%s: %v: %w", k, err, ErrDamaged)
		}
	}
	bin := filepath.Join(dir, k.base())
	if rec.ManifestDigest != k.Manifest || rec.File != k.file() {
		return nil, fmt.Errorf("%s: record describes %s:%s: %w", k, rec.ManifestDigest, rec.File, ErrDamaged)
	}
	fi, err := statCheck(bin, rec, uid)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", k, err, ErrDamaged)
	}
	if !known {
		// The record is believed only as committed: then its sha256, size
		// and version are those learned from the bytes that were written.
		var files sealFiles
		sl, files, err = checkRecordSealInfo(dir, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", k, err, ErrDamaged)
		}
		c.sealed.keep(k, rec, sl, files, start)
	}
	// Hash the whole binary again when it was touched in any way since the
	// commit (its stamp moved: mtime put back or not), or when the last full
	// check is old.
	sealed := stampOf(fi) == sl.Binary
	stamp := filepath.Join(dir, verifiedName)
	if vi, err := os.Stat(stamp); !sealed || err != nil || c.now().Sub(vi.ModTime()) > RehashInterval {
		if err := verifyFile(bin, rec.BinarySHA256); err != nil {
			return nil, fmt.Errorf("%s: %v: %w", k, err, ErrDamaged)
		}
		if sealed {
			c.touch(stamp, 0)
		}
	}
	e := &Entry{Entry: *rec, Path: bin, LastUsed: rec.ExtractedAt}
	if ui, err := os.Stat(filepath.Join(dir, usedName)); err == nil && ui.ModTime().After(e.LastUsed) {
		e.LastUsed = ui.ModTime()
	}
	return e, nil
}

// statCheck compares the binary at bin with its record by stat alone: a
// regular file of the recorded size, mode 0555, owned by the caller, of
// effective uid uid. Its errors name the binary by its base name.
func statCheck(bin string, rec *manifest.Entry, uid int) (fs.FileInfo, error) {
	fi, err := os.Lstat(bin)
	base := filepath.Base(bin)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s is missing", base)
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file but %v", base, fi.Mode().Type())
	case checkInfoAs(bin, fi, false, uid) != nil:
		return nil, checkInfoAs(bin, fi, false, uid)
	case fi.Size() != rec.Size:
		return nil, fmt.Errorf("%s has %d bytes, its record says %d", base, fi.Size(), rec.Size)
	case fi.Mode().Perm() != 0o555:
		return nil, fmt.Errorf("%s has mode %v, want -r-xr-xr-x", base, fi.Mode().Perm())
	}
	return fi, nil
}

// touch sets the mtime of the existing stamp file at p to now if it is
// older than min; it never creates a file. Failures are ignored: a
// read-only cache still serves its entries.
func (c *Cache) touch(p string, min time.Duration) {
	now := c.now()
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < min {
		return
	}
	os.Chtimes(p, now, now)
}

// createStamp creates the stamp file at p, in an entry being filled, with
// mtime now.
func (c *Cache) createStamp(p string) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	now := c.now()
	return os.Chtimes(p, now, now)
}

// verifyFile hashes the file at p and compares it with want.
func verifyFile(p string, want digest.Digest) error {
	f, err := openNoFollow(p) // never blocks on a FIFO put in its place
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", filepath.Base(p))
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hashing %s: %w", p, err)
	}
	if got := digest.NewDigest(digest.SHA256, h); got != want {
		return fmt.Errorf("%s has sha256 %s, its record says %s", filepath.Base(p), got.Encoded(), want.Encoded())
	}
	return nil
}
