package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/openshell-contrib/supctl/manifest"
)

// An EntryError reports a directory among the entries that is not a sound
// committed entry: its record is missing, corrupt, written by a newer
// supctl (matching [manifest.ErrSchema]) or describes another entry. It
// matches [ErrDamaged] unless the record is of a newer schema.
type EntryError struct {
	// Name is the directory's name, Path its absolute path.
	Name, Path string
	Err        error
}

func (e *EntryError) Error() string { return fmt.Sprintf("cache entry %s: %v", e.Path, e.Err) }
func (e *EntryError) Unwrap() error { return e.Err }

// Entries lists the committed entries of the cache, sorted by directory
// name, with their records and last use. Temporary and set-aside
// directories and lock files are not entries. Entries reads records only;
// it neither checks the binaries (see [Cache.Verify]) nor changes anything.
//
// A directory that is not a sound entry does not hide the others: Entries
// returns the entries it could read and an error joining one [*EntryError]
// per such directory.
func (c *Cache) Entries(ctx context.Context) ([]Entry, error) {
	es, bad, err := c.scan(ctx, true)
	if err != nil {
		return es, err
	}
	errs := make([]error, len(bad))
	for i, b := range bad {
		errs[i] = b
	}
	return es, errors.Join(errs...)
}

// scan reads every entry directory, checking the records' seals if
// sealed is set. Directories that vanish while it reads (a concurrent
// collection) are skipped.
func (c *Cache) scan(ctx context.Context, sealed bool) (entries []Entry, bad []*EntryError, err error) {
	des, err := c.readEntriesDir()
	if err != nil {
		return nil, nil, fmt.Errorf("listing cache directory %s: %w", c.dir, err)
	}
	for i, de := range des {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return entries, bad, err
			}
		}
		if !isEntryName(de.Name()) {
			continue
		}
		e, err := c.readEntry(de.Name(), sealed)
		switch {
		case e != nil:
			entries = append(entries, *e)
		case err != nil:
			bad = append(bad, err)
		}
	}
	return entries, bad, nil
}

// isEntryName reports whether name, in the entries directory, names an
// entry rather than a lock file or a temporary or set-aside directory.
func isEntryName(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".lock")
}

// readEntry reads the entry directory called name: its record and last
// use, without checking the binary, and if sealed is set, checks that the
// record is the one committed. It returns nil and nil if the directory is
// not there.
func (c *Cache) readEntry(name string, sealed bool) (*Entry, *EntryError) {
	dir := filepath.Join(c.entries, name)
	bad := func(err error) *EntryError { return &EntryError{Name: name, Path: dir, Err: err} }
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, bad(err)
	case !fi.IsDir():
		return nil, bad(fmt.Errorf("not a directory: %w", ErrDamaged))
	}
	if err := checkInfo(dir, fi, true); err != nil {
		return nil, bad(fmt.Errorf("%w: %w", err, ErrDamaged))
	}
	var rec manifest.Entry
	data, err := manifest.ReadBytes(filepath.Join(dir, recordName), &rec)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, serr := os.Lstat(dir); errors.Is(serr, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, bad(fmt.Errorf("no %s: %w", recordName, ErrDamaged))
		case errors.Is(err, manifest.ErrSchema):
			return nil, bad(fmt.Errorf("%s: %w", recordName, err))
		}
		return nil, bad(fmt.Errorf("%s is not usable (%v): %w", recordName, err, ErrDamaged))
	}
	if sealed {
		if _, err := checkRecordSeal(dir, data); err != nil {
			return nil, bad(fmt.Errorf("%v: %w", err, ErrDamaged))
		}
	}
	k := Key{Manifest: rec.ManifestDigest, File: rec.File}
	if k.name() != name {
		return nil, bad(fmt.Errorf("%s describes %s, which belongs in %s: %w", recordName, k, k.name(), ErrDamaged))
	}
	e := &Entry{Entry: rec, Path: filepath.Join(dir, k.base()), LastUsed: rec.ExtractedAt}
	if ui, err := os.Stat(filepath.Join(dir, usedName)); err == nil && ui.ModTime().After(e.LastUsed) {
		e.LastUsed = ui.ModTime()
	}
	return e, nil
}

// Key returns the key of the entry.
func (e *Entry) Key() Key { return Key{Manifest: e.ManifestDigest, File: e.File} }
