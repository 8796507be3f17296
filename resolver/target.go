package resolver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// IsPath reports whether target, as given to [Resolver.Inspect], names a
// local file rather than an image reference. It is a path when it starts
// with "/" or "." (no registry name does), whether or not it exists; or
// when it exists (by lstat: nothing is opened) and either contains a "/"
// or is no valid reference. A file in the current directory whose name is
// also a valid reference ("openshell-sandbox") is a reference: write it as
// "./openshell-sandbox".
func (r *Resolver) IsPath(target string) bool {
	if strings.HasPrefix(target, "/") || strings.HasPrefix(target, ".") {
		return true
	}
	if _, err := os.Lstat(target); err != nil {
		return false
	}
	if strings.Contains(target, "/") {
		return true
	}
	_, err := r.parse(target)
	return err != nil
}

// Inspect identifies target: a local binary, checked in place with
// [Resolver.CheckFile], when [Resolver.IsPath] says it is a path, else an
// image reference, resolved with [Resolver.Resolve]. A target that is
// neither an existing file nor a valid reference gives an error matching
// [ErrNotFound] and [fs.ErrNotExist]: no registry is asked about it.
func (r *Resolver) Inspect(ctx context.Context, target string) (*Result, error) {
	if r.IsPath(target) {
		res, err := r.CheckFile(ctx, target)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &notFileError{target: target}
		}
		return res, err
	}
	if _, err := r.parse(target); err != nil {
		return nil, &notFileError{target: target, ref: err}
	}
	return r.Resolve(ctx, target)
}

// notFileError reports a target that names no file and is no valid image
// reference.
type notFileError struct {
	target string
	ref    error
}

func (e *notFileError) Error() string {
	if e.ref == nil {
		return fmt.Sprintf("%s: no such file; give the path of a supervisor binary, or an image reference", e.target)
	}
	return fmt.Sprintf("%s: no such file, and not a valid image reference (%v)", e.target, e.ref)
}

func (e *notFileError) Is(target error) bool {
	return target == ErrNotFound || target == fs.ErrNotExist
}
