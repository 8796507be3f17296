//go:build unix

package cache_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
)

// stranger is the uid the tests give directories of another user.
const stranger = 4242

// Every directory the cache uses must be the caller's, not writable by
// others and not a symlink: root is no exception.
func TestOwnershipChain(t *testing.T) {
	levels := []string{"", "entries", "refs", "indexes", "pins"}
	damages := []struct {
		name   string
		root   bool // needs root (chown)
		damage func(t *testing.T, p string)
		want   []string // in the message
	}{
		{"owned by another user", true, func(t *testing.T, p string) {
			if err := os.Chown(p, stranger, stranger); err != nil {
				t.Fatal(err)
			}
		}, []string{"not owned by you", "uid 4242", "drwxr-xr-x", "chown"}},
		{"group-writable", false, func(t *testing.T, p string) { os.Chmod(p, 0o775) },
			[]string{"writable by other users", "drwxrwxr-x", "chmod go-w"}},
		{"world-writable", false, func(t *testing.T, p string) { os.Chmod(p, 0o777) },
			[]string{"writable by other users", "chmod go-w"}},
		{"a symlink to a directory of the caller", false, func(t *testing.T, p string) {
			real := p + ".real"
			if err := os.Rename(p, real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, p); err != nil {
				t.Fatal(err)
			}
		}, []string{"symbolic link"}},
	}
	for _, level := range levels {
		for _, d := range damages {
			t.Run(level+"/"+d.name, func(t *testing.T) {
				if d.root && os.Geteuid() != 0 {
					t.Skip("chown needs root")
				}
				dir := filepath.Join(t.TempDir(), "cache")
				c, clk := openClockedIn(t, dir)
				put(t, c, clk, "e", spec{})
				p := filepath.Join(dir, level)
				d.damage(t, p)
				_, err := cache.Open(dir)
				var ue *cache.UnsafeError
				if !errors.Is(err, cache.ErrUnsafeDir) || !errors.As(err, &ue) || ue.Path != p {
					t.Fatalf("Open: %v, want an UnsafeError for %s", err, p)
				}
				for _, w := range append(d.want, p) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("message %q lacks %q", err, w)
					}
				}
			})
		}
	}
}

// An entry directory or binary of another user inside a sound cache (root
// put it there, or the cache was made safe after the fact) is never handed
// out: it is damaged, and the next fill replaces it.
func TestForeignEntryNotTrusted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	for _, what := range []string{"dir", "binary", "record"} {
		t.Run(what, func(t *testing.T) {
			c, clk := openClocked(t)
			e := put(t, c, clk, "e", spec{})
			p := map[string]string{"dir": filepath.Dir(e.Path), "binary": e.Path, "record": filepath.Join(filepath.Dir(e.Path), "entry.json")}[what]
			if err := os.Lchown(p, stranger, stranger); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.Lookup(ctx, keyOf("e")); !errors.Is(err, cache.ErrDamaged) {
				t.Fatalf("Lookup of an entry with a foreign %s: %v, want ErrDamaged", what, err)
			}
			r, err := c.Verify(ctx, false)
			if err != nil || len(r.Problems) != 1 {
				t.Fatalf("verify: %+v %v", r, err)
			}
			f, got, err := c.Begin(ctx, keyOf("e"))
			if err != nil || got != nil {
				t.Fatalf("Begin: %v %v, want a fill", got, err)
			}
			f.Abort()
		})
	}
}

// A parent that lets others rename the cache directory away is refused,
// its group included; one with the sticky bit, like /tmp, is not.
func TestParentOfCache(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o777, false}, {0o777 | os.ModeSticky, true}, {0o775, false}, {0o755, true}} {
		parent := t.TempDir()
		if err := os.Chmod(parent, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := cache.Open(filepath.Join(parent, "cache"))
		if (err == nil) != tc.ok || (err != nil && (!errors.Is(err, cache.ErrUnsafeDir) || !strings.Contains(err.Error(), "sticky"))) {
			t.Errorf("parent mode %v: %v", tc.mode, err)
		}
	}
}
