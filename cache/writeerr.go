package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// writeError describes err, met while doing what in the cache directory
// dir, and says what to do about a full or read-only file system.
func writeError(dir, what string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%s in cache directory %s: %w; the file system is full: free space there or choose another --cache-dir", what, dir, err)
	case errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("%s in cache directory %s: %w; a file size limit (ulimit -f) was reached: raise it or choose another --cache-dir", what, dir, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s in cache directory %s: %w; the cache directory is not writable: make it writable or choose another --cache-dir", what, dir, err)
	}
	return fmt.Errorf("%s in cache directory %s: %w", what, dir, err)
}
