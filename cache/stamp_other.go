//go:build !unix

package cache

import "io/fs"

// Without inodes and ctimes the seal is size, mode and mtime, and the
// inode a constant.
func stampOf(fi fs.FileInfo) stamp {
	return stamp{Inode: 1, Size: fi.Size(), Mode: uint32(fi.Mode()), MtimeNs: fi.ModTime().UnixNano()}
}
