package cache_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

var key = cache.Key{Manifest: digest.FromString("manifest")}

func record() manifest.Entry {
	return manifest.Entry{
		Ref: "example.com/sup:dev", Registry: "example.com", Repository: "sup",
		Platform: "linux/amd64", LayerDigest: digest.FromString("layer"),
		Version: "0.0.47", VersionSource: "run",
	}
}

// fill writes content as the entry for k and commits it.
func fill(t *testing.T, c *cache.Cache, k cache.Key, content []byte) *cache.Entry {
	t.Helper()
	f, e, err := c.Begin(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	if e != nil {
		return e
	}
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	e, err = f.Commit(record())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func open(t *testing.T) *cache.Cache {
	t.Helper()
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFillAndLookup(t *testing.T) {
	c := open(t)
	ctx := context.Background()
	if _, err := c.Lookup(ctx, key); !errors.Is(err, cache.ErrNotCached) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("empty cache: %v, want ErrNotCached", err)
	}
	content := []byte("\x7fELF pretend binary")
	e := fill(t, c, key, content)
	if e.BinarySHA256 != digest.FromBytes(content) || e.Size != int64(len(content)) || e.ManifestDigest != key.Manifest {
		t.Fatalf("record %+v", e.Entry)
	}
	got, err := c.Lookup(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got.Path); !bytes.Equal(b, content) || got.Path != e.Path {
		t.Fatalf("lookup gave %s with %q", got.Path, b)
	}
	if fi, _ := os.Stat(got.Path); fi.Mode().Perm() != 0o555 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if filepath.Base(filepath.Dir(got.Path)) != "sha256-"+key.Manifest.Encoded() {
		t.Fatalf("entry directory %s", got.Path)
	}
	// Another file of the same image gets its own entry.
	other := cache.Key{Manifest: key.Manifest, File: "/usr/bin/openshell-sandbox"}
	if e2 := fill(t, c, other, []byte("other")); e2.Path == e.Path || e2.File != "/usr/bin/openshell-sandbox" {
		t.Fatalf("second file: %s %s", e2.Path, e2.File)
	}
}

func TestDamageIsNeverHandedOut(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string)
	}{
		{"truncated", func(p string) { os.Chmod(p, 0o755); os.Truncate(p, 3) }},
		{"same size other bytes", func(p string) {
			os.Chmod(p, 0o755)
			os.WriteFile(p, []byte("\x7fELF pretend BINARY"), 0o755)
			os.Chmod(p, 0o555)
			// Make the last full check look old, as a day later.
			old := time.Now().Add(-48 * time.Hour)
			os.Chtimes(filepath.Join(filepath.Dir(p), ".verified"), old, old)
		}},
		{"mode", func(p string) { os.Chmod(p, 0o777) }},
		{"removed", func(p string) { os.Remove(p) }},
		{"record", func(p string) { os.WriteFile(filepath.Join(filepath.Dir(p), "entry.json"), []byte("{"), 0o644) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t)
			content := []byte("\x7fELF pretend binary")
			e := fill(t, c, key, content)
			tc.damage(e.Path)
			if _, err := c.Lookup(context.Background(), key); !errors.Is(err, cache.ErrDamaged) && !errors.Is(err, cache.ErrNotCached) {
				t.Fatalf("damaged entry: %v, want ErrDamaged", err)
			}
			// The next fill sets it aside and writes it again.
			e2 := fill(t, c, key, content)
			if b, _ := os.ReadFile(e2.Path); !bytes.Equal(b, content) {
				t.Fatalf("refilled entry holds %q", b)
			}
		})
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	c := open(t)
	f, _, err := c.Begin(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	des, _ := os.ReadDir(filepath.Join(c.Dir(), "entries"))
	for _, d := range des {
		if d.Name() != "sha256-"+key.Manifest.Encoded()+".lock" {
			t.Errorf("left behind: %s", d.Name())
		}
	}
	// The lock is free again.
	fill(t, c, key, []byte("whole"))
}

func TestSecondFillerWaitsAndReuses(t *testing.T) {
	dir := t.TempDir()
	c1, _ := cache.Open(dir)
	c2, _ := cache.Open(dir)
	ctx := context.Background()
	f1, _, err := c1.Begin(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		f   *cache.Fill
		e   *cache.Entry
		err error
	}
	done := make(chan res, 1)
	go func() {
		f, e, err := c2.Begin(ctx, key)
		done <- res{f, e, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("second Begin did not wait for the first: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
	f1.Write([]byte("content"))
	e1, err := f1.Commit(record())
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.f != nil || r.e == nil || r.e.Path != e1.Path {
		t.Fatalf("second Begin after commit: %+v, want the committed entry", r)
	}
}

func TestBeginHonoursContext(t *testing.T) {
	c := open(t)
	f, _, err := c.Begin(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Begin(ctx, key); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
}

func TestStaleTempDirsAreRemoved(t *testing.T) {
	c := open(t)
	stale := filepath.Join(c.Dir(), "entries", ".tmp-sha256-"+key.Manifest.Encoded()+"-123")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "openshell-sandbox"), []byte("half"), 0o555)
	fill(t, c, key, []byte("whole"))
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("temp dir of a dead writer still there: %v", err)
	}
}

func TestUnsafeDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	if _, err := cache.Open(dir); !errors.Is(err, cache.ErrUnsafeDir) {
		t.Fatalf("world-writable cache: %v, want ErrUnsafeDir", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if d, _ := cache.DefaultDir(); d != "/data/openshell/docker-supervisor" {
		t.Fatalf("got %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := cache.DefaultDir(); d != "/home/u/.local/share/openshell/docker-supervisor" {
		t.Fatalf("got %s", d)
	}
}
