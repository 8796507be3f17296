//go:build unix && !darwin && !freebsd && !netbsd

package cache

import (
	"io/fs"
	"syscall"
)

func stampOf(fi fs.FileInfo) stamp {
	s := stamp{Size: fi.Size(), Mode: uint32(fi.Mode()), MtimeNs: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.Inode = uint64(st.Ino)
		s.CtimeNs = st.Ctim.Nano()
	}
	return s
}
