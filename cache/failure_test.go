package cache_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
)

// Network file systems answer flock with such errors: the error names the
// lock file and says to use a local file system.
func TestLockingNotSupported(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOLCK, syscall.EOPNOTSUPP, syscall.ENOSYS, syscall.EINVAL} {
		err := cache.LockError("/nfs/cache/entries/x.lock", errno)
		if !errors.Is(err, cache.ErrLocking) || !errors.Is(err, errno) ||
			!strings.Contains(err.Error(), "/nfs/cache/entries/x.lock") || !strings.Contains(err.Error(), "must be on a local file system") {
			t.Errorf("%v: %v", errno, err)
		}
	}
	if err := cache.LockError("/x.lock", syscall.EROFS); errors.Is(err, cache.ErrLocking) || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("read-only: %v", err)
	}
}

func TestOpenCreatesASafeDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "cache")
	if _, err := cache.Open(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, "entries"), filepath.Join(dir, "refs")} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o022 != 0 {
			t.Errorf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	// Someone else's directory is refused (when not root, ownership is checked too).
	os.Chmod(dir, 0o775)
	if _, err := cache.Open(dir); !errors.Is(err, cache.ErrUnsafeDir) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("group-writable cache: %v", err)
	}
}
