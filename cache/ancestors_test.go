//go:build unix

package cache_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/cache"
)

// Every directory above the cache must belong to root or the caller and
// not be writable by others unless sticky, links on the way included:
// whoever could rename one could swap the cache, and the paths it handed
// out, for their own. Each is refused at Open (and OpenExisting) with the
// directory, its owner and mode, and the fix.
func TestAncestorsOfCache(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	chown := func(t *testing.T, p string) {
		if err := os.Lchown(p, stranger, stranger); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		// set up makes the cache directory's path under base and returns
		// it and the directory to be refused ("" for none).
		setUp func(t *testing.T, base string) (dir, bad string)
		want  []string
	}{
		{"grandparent of another user", func(t *testing.T, base string) (string, string) {
			g := filepath.Join(base, "home")
			os.MkdirAll(filepath.Join(g, "sub"), 0o755)
			chown(t, g)
			return filepath.Join(g, "sub", "cache"), g
		}, []string{"not owned by root or by you", "uid 4242", "drwxr-xr-x", "chown root"}},
		{"group-writable grandparent", func(t *testing.T, base string) (string, string) {
			g := filepath.Join(base, "shared")
			os.MkdirAll(filepath.Join(g, "sub"), 0o755)
			os.Chmod(g, 0o775)
			return filepath.Join(g, "sub", "cache"), g
		}, []string{"writable by other users without the sticky bit", "drwxrwxr-x", "chmod go-w"}},
		{"sticky world-writable, child of the caller", func(t *testing.T, base string) (string, string) {
			g := filepath.Join(base, "tmp")
			os.MkdirAll(filepath.Join(g, "mine"), 0o755)
			os.Chmod(g, 0o777|os.ModeSticky)
			return filepath.Join(g, "mine", "cache"), ""
		}, nil},
		{"sticky world-writable, child of another user", func(t *testing.T, base string) (string, string) {
			g := filepath.Join(base, "tmp")
			os.MkdirAll(filepath.Join(g, "hers"), 0o755)
			os.Chmod(g, 0o777|os.ModeSticky)
			chown(t, filepath.Join(g, "hers"))
			return filepath.Join(g, "hers", "cache"), filepath.Join(g, "hers")
		}, []string{"not owned by root or by you", "uid 4242"}},
		{"link of another user on the way", func(t *testing.T, base string) (string, string) {
			os.MkdirAll(filepath.Join(base, "real"), 0o755)
			l := filepath.Join(base, "via")
			os.Symlink("real", l)
			chown(t, l)
			return filepath.Join(l, "cache"), l
		}, []string{"not owned by root or by you", "uid 4242"}},
		{"link of the caller into a directory of another user", func(t *testing.T, base string) (string, string) {
			real := filepath.Join(base, "hers")
			os.MkdirAll(real, 0o755)
			chown(t, real)
			os.Symlink(real, filepath.Join(base, "via"))
			return filepath.Join(base, "via", "cache"), real
		}, []string{"not owned by root or by you", "uid 4242"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, bad := tc.setUp(t, t.TempDir())
			_, err := cache.Open(dir)
			if bad == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return
			}
			var ue *cache.UnsafeError
			if !errors.Is(err, cache.ErrUnsafeDir) || !errors.As(err, &ue) || ue.Path != bad {
				t.Fatalf("Open: %v, want an UnsafeError for %s", err, bad)
			}
			for _, w := range append(tc.want, bad, dir) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			if _, err := cache.OpenExisting(dir); !errors.Is(err, cache.ErrUnsafeDir) && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("OpenExisting: %v", err)
			}
		})
	}
}

// The attack the rule stops: the owner of a directory above a cache
// renames the cache away after root has used it, and plants her own entry
// at the path root handed out. She can, as uid 4242, and such a cache is
// refused at Open, and at every use of one opened before her change.
func TestAncestorSwapRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown and setuid need root")
	}
	base := t.TempDir()
	for _, p := range []string{filepath.Dir(base), base} {
		os.Chmod(p, 0o755) // let her reach her directory
	}
	hers := filepath.Join(base, "hers")
	os.MkdirAll(hers, 0o755)
	dir := filepath.Join(hers, "cache")
	c, clk := openClockedIn(t, dir)
	e := put(t, c, clk, "e", spec{})
	// A use that remembers the entry's checked record, once its files'
	// ctimes have settled, makes no later use skip the chain.
	time.Sleep(20 * time.Millisecond)
	if _, err := c.Lookup(t.Context(), keyOf("e")); err != nil || !cache.Remembers(c, keyOf("e")) {
		t.Fatalf("Lookup before her change: %v (remembered: %v)", err, cache.Remembers(c, keyOf("e")))
	}
	if err := os.Chown(hers, stranger, stranger); err != nil {
		t.Fatal(err)
	}
	// The entry root handed out, before the change, is no longer used.
	if _, err := c.Lookup(t.Context(), keyOf("e")); !errors.Is(err, cache.ErrUnsafeDir) {
		t.Errorf("Lookup under a directory of another user: %v, want ErrUnsafeDir", err)
	}
	_, err := cache.Open(dir)
	var ue *cache.UnsafeError
	if !errors.As(err, &ue) || ue.Path != hers || ue.Owner != stranger || !strings.Contains(err.Error(), "chown") {
		t.Fatalf("Open: %v, want an UnsafeError naming %s", err, hers)
	}
	// What she could have done: rename the cache away, as uid 4242.
	mv := exec.Command("mv", dir, filepath.Join(hers, "away"))
	mv.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: stranger, Gid: stranger}}
	if out, err := mv.CombinedOutput(); err != nil {
		t.Fatalf("uid %d could not rename the cache away: %v %s", stranger, err, out)
	}
	if _, err := os.Stat(e.Path); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", e.Path, err)
	}
}
