//go:build unix

package doctor

import (
	"io/fs"
	"syscall"
)

// owner is the uid that owns fi, or -1.
func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
