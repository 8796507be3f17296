//go:build !unix

package cache

import "io/fs"

// Ownership is not checked where there are no Unix owners.
func ownedByCaller(fs.FileInfo) bool { return true }
