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
)

// lockPoll is how often a blocked lock attempt retries.
const lockPoll = 10 * time.Millisecond

// lockFile takes the exclusive lock on the lock file at p, waiting until it
// is free or ctx is done. The lock file is created if needed and never
// deleted.
func lockFile(ctx context.Context, p string) (unlock func() error, err error) {
	fl := flock.New(p, flock.SetPermissions(0o644))
	ok, err := fl.TryLockContext(ctx, lockPoll)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for lock %s: %w", p, ctx.Err())
		}
		return nil, lockError(p, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s not acquired", p)
	}
	return fl.Unlock, nil
}

// tryLockFile takes the exclusive lock at p if it is free at once.
func tryLockFile(p string) (unlock func() error, ok bool, err error) {
	fl := flock.New(p, flock.SetPermissions(0o644))
	ok, err = fl.TryLock()
	if err != nil {
		return nil, false, lockError(p, err)
	}
	if !ok {
		return nil, false, nil
	}
	return fl.Unlock, true, nil
}

// sharedLock returns the shared lock on the lock file at p. The file is
// opened read-only, so that a read-only cache can still be held and
// verified.
func sharedLock(p string) *flock.Flock {
	return flock.New(p, flock.SetPermissions(0o644), flock.SetFlag(os.O_CREATE|os.O_RDONLY))
}

// rlockFile takes a shared lock on the lock file at p, waiting until no
// exclusive lock is held or ctx is done.
func rlockFile(ctx context.Context, p string) (unlock func() error, err error) {
	fl := sharedLock(p)
	ok, err := fl.TryRLockContext(ctx, lockPoll)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for lock %s: %w", p, ctx.Err())
		}
		return nil, lockError(p, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s not acquired", p)
	}
	return fl.Unlock, nil
}

// heldShared reports whether the lock at p is held by shared holders only:
// a shared lock can be taken at once although an exclusive one cannot.
func heldShared(p string) bool {
	fl := sharedLock(p)
	ok, err := fl.TryRLock()
	if err != nil || !ok {
		return false
	}
	fl.Unlock()
	return true
}

func lockError(p string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL):
		return fmt.Errorf("locking %s: %w; the cache directory must be on a local file system, use --cache-dir: %w", p, err, ErrLocking)
	case errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("locking %s: %w; the cache directory is not writable: make it writable or choose another --cache-dir", p, err)
	}
	return fmt.Errorf("locking %s: %w", p, err)
}
