package cache

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/gofrs/flock"
)

// Lock files are opened without following a symbolic link and without
// blocking (lockOpenFlags): another process of the cache's user could put a
// FIFO or a device where a lock file belongs, and opening a FIFO for
// reading waits for a writer forever. What is opened is checked with fstat
// once locked (and with lstat before any wait): anything but a regular
// file is a damaged lock ([ErrDamaged]), which verify reports and
// "verify --repair" replaces.

// newLock returns the lock on the lock file at p, opened with flag.
func newLock(p string, flag int) *flock.Flock {
	return flock.New(p, flock.SetPermissions(0o644), flock.SetFlag(flag|lockOpenFlags))
}

// badLock is the error for the lock file at p that is not a regular file.
func badLock(p string, mode fs.FileMode) error {
	return fmt.Errorf("lock file %s is not a regular file but %v; a repairing verification replaces it: %w", p, mode.Type(), ErrDamaged)
}

// checkLockPath checks, before waiting for the lock at p, that it is not
// something else than a regular file; a missing one is for the open to
// report or create.
func checkLockPath(p string) error {
	if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		return badLock(p, fi.Mode())
	}
	return nil
}

// checkLocked checks that what fl locked is a regular file, and releases
// it otherwise.
func checkLocked(p string, fl *flock.Flock) error {
	fi, err := fl.Stat() // of the open descriptor while locked
	if err == nil && fi.Mode().IsRegular() {
		return nil
	}
	uerr := fl.Unlock()
	if err != nil {
		return fmt.Errorf("locking %s: %w", p, err)
	}
	if uerr != nil {
		return fmt.Errorf("locking %s: %w", p, uerr)
	}
	return badLock(p, fi.Mode())
}
