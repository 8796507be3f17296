package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// heldGrace is how long [Cache.Begin] waits on the lock of an entry that
// is held in use, and so cannot be replaced, before giving up.
const heldGrace = 2 * time.Second

// Hold marks the entry for k in use and returns the function that releases
// it. While the entry is held, [Cache.GC] does not remove it and no process
// sets it aside or replaces it. Hold waits, until ctx is done, for a fill of
// the entry in progress; then it checks the entry as [Cache.Lookup] does and
// returns the same errors, holding nothing, if it is missing or unsound.
//
// A hold is a shared lock on the entry's lock file, which the kernel
// releases when the process exits, so a killed holder never leaves the
// entry held. A gateway holds the entry of the binary it bind-mounts into
// sandboxes for as long as any sandbox runs from it; the resolver's
// ResolveAndHold takes the hold inside the resolve, before the entry's
// final check (and [Fill.CommitAndHold] for an entry it extracts), so no
// collection can remove the entry in between. Release may be called more
// than once.
func (c *Cache) Hold(ctx context.Context, k Key) (release func() error, err error) {
	if err := k.validate(); err != nil {
		return nil, err
	}
	unlock, err := rlockFile(ctx, c.lockPath(k))
	if err != nil {
		return nil, err
	}
	if _, err := c.check(k); err != nil {
		return nil, errors.Join(err, unlock())
	}
	c.touch(filepath.Join(c.entryDir(k), usedName), usedInterval)
	var once sync.Once
	return func() error {
		err := error(nil)
		once.Do(func() { err = unlock() })
		return err
	}, nil
}

func (c *Cache) lockPath(k Key) string { return c.entryDir(k) + ".lock" }

// lockForFill takes the exclusive lock of the entry for k, and returns it, which failed its
// check with why. Holders of the entry keep the lock shared for as long as
// they run, and the process asking may be one of them; so once only shared
// holders have been seen for heldGrace, lockForFill gives up with an error
// matching [ErrInUse] rather than wait for them.
func (c *Cache) lockForFill(ctx context.Context, k Key, why error) (*flock.Flock, error) {
	p := c.lockPath(k)
	fl := newLock(p, os.O_CREATE|os.O_RDONLY)
	if ok, err := fl.TryLock(); err != nil {
		return nil, lockError(p, err)
	} else if ok {
		if err := checkLocked(p, fl); err != nil {
			return nil, err
		}
		return fl, nil
	}
	var shared time.Time
	_, err := acquireChecked(ctx, p, fl, fl.Lock, heldCheck, func() error {
		switch {
		case !heldShared(p):
			shared = time.Time{}
		case shared.IsZero():
			shared = time.Now()
		case time.Since(shared) >= c.heldGrace:
			return fmt.Errorf("%w; it cannot be extracted again while another process holds it: %w; stop the process holding it (a gateway running sandboxes from it) and try again", why, ErrInUse)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fl, nil
}
