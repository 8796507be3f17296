//go:build unix

package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
)

// A repairing verification replaces what is not a regular file where an
// entry's lock file belongs, and only that: a regular lock file, which a
// process may hold, stays the same file, so a hold taken before the repair
// still keeps its entry from a collection.
func TestVerifyRepairsLockPath(t *testing.T) {
	for _, tc := range []struct {
		name string
		// make puts the bad lock path in place of lock; it may hold the
		// entry first, as a gateway would.
		make     func(t *testing.T, c *cache.Cache, lock string) (release func() error)
		replaced bool // the path is replaced (else the same file stays)
		repaired bool
	}{
		{"fifo", func(t *testing.T, _ *cache.Cache, lock string) func() error {
			must(t, os.Remove(lock))
			must(t, syscall.Mkfifo(lock, 0o644))
			return nil
		}, true, true},
		{"directory", func(t *testing.T, _ *cache.Cache, lock string) func() error {
			must(t, os.Remove(lock))
			must(t, os.Mkdir(lock, 0o755))
			writeFile(t, filepath.Join(lock, "x"), "x")
			return nil
		}, true, true},
		{"symlink", func(t *testing.T, _ *cache.Cache, lock string) func() error {
			target := filepath.Join(t.TempDir(), "elsewhere")
			writeFile(t, target, "kept")
			must(t, os.Remove(lock))
			must(t, os.Symlink(target, lock))
			t.Cleanup(func() {
				if b, err := os.ReadFile(target); err != nil || string(b) != "kept" {
					t.Errorf("the symlink's target: %q, %v; want it untouched", b, err)
				}
			})
			return nil
		}, true, true},
		{"regular, writable by others, held", func(t *testing.T, c *cache.Cache, lock string) func() error {
			must(t, os.Chmod(lock, 0o666))
			return hold(t, c)
		}, false, true},
		{"regular, another user's, held", func(t *testing.T, c *cache.Cache, lock string) func() error {
			if os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			must(t, os.Chown(lock, 65534, 65534))
			return hold(t, c)
		}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, clk := openClocked(t)
			e := put(t, c, clk, "e", spec{})
			lock := filepath.Dir(e.Path) + ".lock"
			release := tc.make(t, c, lock)
			before, _ := os.Lstat(lock)
			r, err := c.Verify(ctx, true)
			if err != nil || len(r.Problems) != 1 || r.Problems[0].Kind != cache.ProblemLock || r.Problems[0].Repaired != tc.repaired {
				t.Fatalf("repair: %+v, %v; want one lock problem, repaired %v", r, err, tc.repaired)
			}
			t.Logf("%s: %s", r.Problems[0].Message, r.Problems[0].Action)
			after, err := os.Lstat(lock)
			switch {
			case tc.replaced && err == nil:
				t.Errorf("the lock path is still there: %v", after.Mode())
			case !tc.replaced && (err != nil || !os.SameFile(before, after)):
				t.Errorf("the regular lock file was replaced: %v", err)
			}
			if release != nil {
				// The hold taken before the repair still holds.
				g, err := c.GC(ctx, cache.GCPolicy{})
				if err != nil || len(g.Removed) != 0 {
					t.Fatalf("gc of the held entry after the repair: removed %+v, %v", g.Removed, err)
				}
				must(t, release())
			}
			if !tc.repaired {
				return
			}
			if r, err := c.Verify(ctx, false); err != nil || !r.OK() {
				t.Fatalf("after repair: %+v, %v", r, err)
			}
			release = hold(t, c)
			must(t, release())
			if fi, err := os.Lstat(lock); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
				t.Fatalf("the lock file after a use: %v, %v; want a regular file of mode 0644", fi, err)
			}
		})
	}
}

// hold holds the entry "e" of c.
func hold(t *testing.T, c *cache.Cache) func() error {
	t.Helper()
	release, err := c.Hold(context.Background(), keyOf("e"))
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	return release
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
