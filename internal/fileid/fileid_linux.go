package fileid

import (
	"io/fs"
	"syscall"
)

// An ID is what stat says of a file that any change of it, or its
// replacement by another file, moves. IDs are comparable.
type ID struct {
	dev, ino         uint64
	uid              uint32
	mode             fs.FileMode
	size             int64
	mtimeNs, ctimeNs int64
}

// Of returns the identity of the file fi describes; ok is false where
// stat gives no inode.
func Of(fi fs.FileInfo) (id ID, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Ino == 0 {
		return ID{}, false
	}
	return ID{
		dev: uint64(st.Dev), ino: uint64(st.Ino), uid: st.Uid,
		mode: fi.Mode(), size: fi.Size(),
		mtimeNs: fi.ModTime().UnixNano(), ctimeNs: st.Ctim.Nano(),
	}, true
}
