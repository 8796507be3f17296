//go:build unix

package cache

import (
	"fmt"
	"os"
	"syscall"
)

// checkOwner refuses a cache directory that other users could write to or
// replace binaries in.
func checkOwner(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cache directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache directory %s is not a directory: %w", dir, ErrUnsafeDir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("cache directory %s is writable by other users (mode %v); run \"chmod go-w %s\" or choose another --cache-dir: %w",
			dir, fi.Mode().Perm(), dir, ErrUnsafeDir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Geteuid(); uid != 0 && int(st.Uid) != uid {
			return fmt.Errorf("cache directory %s is owned by uid %d, not by you (uid %d); choose another --cache-dir: %w",
				dir, st.Uid, uid, ErrUnsafeDir)
		}
	}
	return nil
}
