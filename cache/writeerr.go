package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// A WriteError reports a failure to write in a cache directory, such as a
// full or read-only file system, and says what to do about it. Nothing
// committed before is lost: entries are never written in place.
type WriteError struct {
	// Dir is the cache directory, Op what was being done.
	Dir, Op string
	Err     error
}

func (e *WriteError) Error() string {
	var hint string
	switch {
	case errors.Is(e.Err, syscall.ENOSPC), errors.Is(e.Err, syscall.EDQUOT):
		hint = "; the file system is full: free space there or choose another --cache-dir"
	case errors.Is(e.Err, syscall.EFBIG):
		hint = "; a file size limit (ulimit -f) was reached: raise it or choose another --cache-dir"
	case errors.Is(e.Err, syscall.EROFS), errors.Is(e.Err, fs.ErrPermission):
		hint = "; the cache directory is not writable: make it writable or choose another --cache-dir"
	}
	return fmt.Sprintf("%s in cache directory %s: %v%s", e.Op, e.Dir, e.Err, hint)
}

func (e *WriteError) Unwrap() error { return e.Err }

func writeError(dir, op string, err error) error { return &WriteError{Dir: dir, Op: op, Err: err} }
