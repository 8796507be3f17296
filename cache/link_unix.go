//go:build unix

package cache

import (
	"io/fs"
	"os"
	"syscall"
)

// ownedByCaller reports whether what Lstat said of a file is of a file
// the caller owns.
func ownedByCaller(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Geteuid()
}
