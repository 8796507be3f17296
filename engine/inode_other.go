//go:build !unix

package engine

import "io/fs"

// inode is 0 where files have no inode numbers.
func inode(fs.FileInfo) uint64 { return 0 }
