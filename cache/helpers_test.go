package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/clocktest"
	"github.com/openshell-contrib/supctl/manifest"
)

// t0 is when the test entries are extracted.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// openClocked opens a cache in a new directory with a clock set to t0.
func openClocked(t testing.TB) (*cache.Cache, *clocktest.Clock) {
	t.Helper()
	return openClockedIn(t, t.TempDir())
}

// openClockedIn opens the cache in dir with a clock set to t0.
func openClockedIn(t testing.TB, dir string) (*cache.Cache, *clocktest.Clock) {
	t.Helper()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(t0)
	cache.SetClock(c, clk.Now)
	return c, clk
}

// spec describes a test entry.
type spec struct {
	repo     string        // repository; default "sup"
	index    digest.Digest // index digest, if any
	at       time.Time     // extraction time; default t0
	platform string        // default linux/amd64
}

// keyOf is the key of the test entry called name.
func keyOf(name string) cache.Key { return cache.Key{Manifest: digest.FromString(name)} }

// put fills the entry called name, as extracted at s.at with the cache's
// clock at that time, so that it was last used then.
func put(t testing.TB, c *cache.Cache, clk *clocktest.Clock, name string, s spec) *cache.Entry {
	t.Helper()
	if s.repo == "" {
		s.repo = "sup"
	}
	if s.at.IsZero() {
		s.at = t0
	}
	if s.platform == "" {
		s.platform = "linux/amd64"
	}
	saved := clk.Now()
	clk.Set(s.at)
	defer clk.Set(saved)
	f, e, err := c.Begin(context.Background(), keyOf(name))
	if err != nil {
		t.Fatal(err)
	}
	if e != nil {
		t.Fatalf("%s already cached", name)
	}
	if _, err := f.Write([]byte("\x7fELF " + name)); err != nil {
		t.Fatal(err)
	}
	e, err = f.Commit(manifest.Entry{
		Ref: "example.com/" + s.repo + ":" + name, Registry: "example.com", Repository: s.repo,
		IndexDigest: s.index, Platform: s.platform, LayerDigest: digest.FromString("layer " + name),
		Version: "0.0.47", VersionSource: "run", ExtractedAt: s.at,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The stamps were touched by the clock; the file system keeps them.
	for _, n := range []string{".used", ".verified"} {
		os.Chtimes(filepath.Join(filepath.Dir(e.Path), n), s.at, s.at)
	}
	return e
}

// entryDir is the directory of the test entry called name.
func entryDir(c *cache.Cache, name string) string {
	return filepath.Join(c.Dir(), "entries", "sha256-"+keyOf(name).Manifest.Encoded())
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func writeFile(t testing.TB, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
