package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/openshell-contrib/supctl/remedy"
)

// Lock files are opened without following a symbolic link and without
// blocking (lockOpenFlags): another process of the cache's user could put a
// FIFO or a device where a lock file belongs, and opening a FIFO for
// reading waits for a writer forever. What is opened is checked with fstat
// once locked (and with lstat before any wait): anything but a regular
// file is a damaged lock ([ErrDamaged]), which [Cache.Verify] reports and
// replaces when it repairs (verifyLock): no process can hold it.

// newLock returns the lock on the lock file at p, opened with flag.
func newLock(p string, flag int) *flock.Flock {
	return flock.New(p, flock.SetPermissions(0o644), flock.SetFlag(flag|lockOpenFlags))
}

// badLock is the error for the lock file at p that is not a regular file.
func badLock(p string, mode fs.FileMode) error {
	return &remedy.Error{Err: fmt.Errorf("lock file %s is not a regular file but %v: %w", p, mode.Type(), ErrDamaged), Fix: repairLock}
}

// repairLock is the remedy of a lock file that is not a regular file.
var repairLock = remedy.Remedy{Action: remedy.Repair, Before: "run ", After: " to replace it"}

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

// verifyLock checks the lock file called name in entries/ and, asked to,
// repairs it by the rule of "Lock files" in the package documentation: a
// path that is not a regular file is replaced, a regular file is never.
func (c *Cache) verifyLock(name string, repair bool, r *VerifyReport) {
	p := filepath.Join(c.entries, name)
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case err != nil:
	case fi.Mode()&fs.ModeSymlink != 0:
		err = errors.New("the lock file is a symbolic link")
	case fi.IsDir():
		err = errors.New("the lock file is a directory")
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("the lock file is not a regular file but %v", fi.Mode().Type())
	default:
		if uerr := checkInfo(p, fi, false); uerr != nil {
			r.add(ProblemLock, p, fmt.Errorf("%v: %w", uerr, ErrDamaged), repair, func(pr *Problem) { repairLockMode(p, uerr, pr) })
		}
		return
	}
	why := fmt.Errorf("%v; the entry cannot be filled or held: %w", err, ErrDamaged)
	r.add(ProblemLock, p, why, repair, func(pr *Problem) {
		// Nobody holds a lock on it: every lock is let go at once on what
		// is not a regular file (checkLocked), and a symbolic link is not
		// even opened.
		if _, err := c.removeAside(name); err != nil {
			pr.Action = "not repaired: " + writeError(c.dir, "moving the lock file aside", err).Error()
			return
		}
		pr.Repaired, pr.Action = true, "removed: the next use creates it again"
	})
}

// repairLockMode repairs the regular lock file at p that breaks the
// ownership rule (uerr), in place, so that a lock held on it stays held:
// one of the caller's writable by others gets mode 0644; one of another
// user is left for its owner to give back.
func repairLockMode(p string, uerr error, pr *Problem) {
	var ue *UnsafeError
	if errors.As(uerr, &ue) && ue.Owner >= 0 && ue.Owner != ue.UID {
		pr.Action = "not repaired: a lock file is never replaced, as a process may hold it; give it back to the cache's user (chown)"
		return
	}
	f, err := openNoFollow(p)
	if err == nil {
		var fi fs.FileInfo
		if fi, err = f.Stat(); err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("%s is no longer a regular file", p)
		}
		if err == nil {
			err = f.Chmod(0o644)
		}
		f.Close()
	}
	if err != nil {
		pr.Action = "not repaired: " + err.Error()
		return
	}
	pr.Repaired, pr.Action = true, "mode set to 0644 in place, keeping any lock on it"
}
