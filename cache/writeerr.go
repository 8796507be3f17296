package cache

import "github.com/openshell-contrib/supctl/manifest"

// A WriteError reports a failure to write in a cache directory, such as a
// full or read-only file system, and says what to do about it. Nothing
// committed before is lost: entries are never written in place. It is the
// same type as [manifest.WriteError], which records report.
type WriteError = manifest.WriteError

func writeError(dir, op string, err error) error { return &WriteError{Dir: dir, Op: op, Err: err} }
