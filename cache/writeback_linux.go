package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the n bytes at off of f
// to disk, without waiting: by the time the binary is complete most of it
// is on its way, and the fsync that commits it has little left to do.
// Errors are ignored: the fsync that follows reports any that matter.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
