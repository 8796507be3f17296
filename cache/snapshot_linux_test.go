package cache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// treeSnapshot lists everything under dir with what a change would move:
// type, mode, size, inode, mtime, ctime and, for small files, contents.
func treeSnapshot(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "%s error %v\n", p, err)
			return nil
		}
		var ino uint64
		var ctime int64
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			ino, ctime = uint64(st.Ino), st.Ctim.Nano()
		}
		fmt.Fprintf(&b, "%s %v %d ino=%d mtime=%d ctime=%d", p, fi.Mode(), fi.Size(), ino, fi.ModTime().UnixNano(), ctime)
		if fi.Mode().IsRegular() && fi.Size() < 4096 {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteByte('\n')
		return nil
	})
	return b.String()
}
