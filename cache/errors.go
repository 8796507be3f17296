package cache

import (
	"errors"
	"io/fs"
)

var (
	// ErrNotCached reports that an entry is not in the cache. It matches
	// fs.ErrNotExist (its message is just "not cached").
	ErrNotCached error = notCached{}

	// ErrDamaged reports an entry whose binary does not match its record.
	ErrDamaged = errors.New("cache entry damaged")

	// ErrLocking reports a cache directory on a file system where file
	// locks do not work.
	ErrLocking = errors.New("file locks do not work in the cache directory")

	// ErrUnsafeDir reports a cache directory that others could write to.
	ErrUnsafeDir = errors.New("unsafe cache directory")

	// ErrInUse reports an entry that is held in use (see [Cache.Hold]) and
	// so cannot be replaced.
	ErrInUse = errors.New("cache entry in use")
)

type notCached struct{}

func (notCached) Error() string        { return "not cached" }
func (notCached) Is(target error) bool { return target == fs.ErrNotExist }
