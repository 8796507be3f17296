package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/openshell-contrib/supctl/remedy"
)

// heldCheck is how often a wait for an entry's exclusive lock checks
// whether only shared holders are in the way.
const heldCheck = 100 * time.Millisecond

// Every lock is released through the function that took it, which returns
// the error of the release: unlock func() error. Callers return or join
// that error; none is dropped.

// acquire takes fl's lock with lock (fl.Lock or fl.RLock), which blocks in
// the kernel: a waiter wakes as soon as the lock is free and spends no CPU
// meanwhile. The blocking call runs in a goroutine so that ctx can end the
// wait. Every tick, if tick is set, giveUp may end the wait with an error.
// A lock acquired after the wait ended is released at once.
func acquire(ctx context.Context, p string, fl *flock.Flock, lock func() error, tick time.Duration, giveUp func() error) (unlock func() error, err error) {
	got := make(chan error, 1)
	go func() { got <- lock() }()
	// abandon releases, once it comes, a lock no one waits for any more.
	// Nobody is left to report a failure to: closing the descriptor, which
	// a failed unlock leaves to process exit, releases the lock anyway.
	abandon := func() {
		go func() {
			if <-got == nil {
				_ = fl.Close()
			}
		}()
	}
	var ticks <-chan time.Time
	if tick > 0 && giveUp != nil {
		t := time.NewTicker(tick)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case err := <-got:
			if err != nil {
				return nil, lockError(p, err)
			}
			return fl.Unlock, nil
		case <-ctx.Done():
			abandon()
			return nil, fmt.Errorf("waiting for lock %s: %w", p, ctx.Err())
		case <-ticks:
			if err := giveUp(); err != nil {
				abandon()
				return nil, err
			}
		}
	}
}

// tryLockFile takes the exclusive lock at p if it is free at once.
func tryLockFile(p string) (unlock func() error, ok bool, err error) {
	fl := newLock(p, os.O_CREATE|os.O_RDONLY)
	ok, err = fl.TryLock()
	if err != nil {
		return nil, false, lockError(p, err)
	}
	if !ok {
		return nil, false, checkLockPath(p)
	}
	if err := checkLocked(p, fl); err != nil {
		return nil, false, err
	}
	return fl.Unlock, true, nil
}

// sharedLock returns the shared lock on the lock file at p. The file is
// opened read-only, so that a read-only cache can still be held and
// verified.
func sharedLock(p string) *flock.Flock {
	return newLock(p, os.O_CREATE|os.O_RDONLY)
}

// rlockFile takes a shared lock on the lock file at p, waiting until no
// exclusive lock is held or ctx is done.
func rlockFile(ctx context.Context, p string) (unlock func() error, err error) {
	fl := sharedLock(p)
	if ok, err := fl.TryRLock(); err != nil {
		return nil, lockError(p, err)
	} else if ok {
		if err := checkLocked(p, fl); err != nil {
			return nil, err
		}
		return fl.Unlock, nil
	}
	return acquireChecked(ctx, p, fl, fl.RLock, 0, nil)
}

// heldShared reports whether the lock at p is held by shared holders only:
// a shared lock can be taken at once although an exclusive one cannot.
func heldShared(p string) bool {
	fl := sharedLock(p)
	ok, err := fl.TryRLock()
	if err != nil || !ok {
		return false
	}
	return fl.Unlock() == nil
}

// acquireChecked is [acquire] for a lock file checked to be a regular
// file before the wait and once locked.
func acquireChecked(ctx context.Context, p string, fl *flock.Flock, lock func() error, tick time.Duration, giveUp func() error) (unlock func() error, err error) {
	if err := checkLockPath(p); err != nil {
		return nil, err
	}
	unlock, err = acquire(ctx, p, fl, lock, tick, giveUp)
	if err != nil {
		return nil, err
	}
	if err := checkLocked(p, fl); err != nil {
		return nil, err
	}
	return unlock, nil
}

func lockError(p string, err error) error {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return &remedy.Error{Err: fmt.Errorf("lock file %s is a symbolic link: %w", p, ErrDamaged), Fix: repairLock}
	case errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL):
		return &remedy.Error{Err: fmt.Errorf("locking %s: %w: %w", p, err, ErrLocking),
			Fix: remedy.Remedy{Action: remedy.LocalCacheDir, Before: "the cache directory must be on a local file system, "}}
	case errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission):
		return &remedy.Error{Err: fmt.Errorf("locking %s: %w", p, err),
			Fix: remedy.Remedy{Action: remedy.OtherCacheDir, Before: "the cache directory is not writable: make it writable or "}}
	}
	return fmt.Errorf("locking %s: %w", p, err)
}
