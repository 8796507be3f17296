package cache

import (
	"context"
	"errors"
	"fmt"
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

func lockError(p string, err error) error {
	if errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("locking %s: %v; the cache directory must be on a local file system, use --cache-dir: %w", p, err, ErrLocking)
	}
	return fmt.Errorf("locking %s: %w", p, err)
}
