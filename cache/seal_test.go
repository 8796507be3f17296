//go:build linux

package cache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

// Tampering that stat by size, mode and mtime cannot see is caught by the
// seal (inode and ctime), and what the record says is believed only while
// the record is the one committed.
func TestTamperingIsNeverHandedOut(t *testing.T) {
	ctx := context.Background()
	// overwrite writes body over the file at p in place and puts its mode
	// and mtime back, as a careful attacker would.
	overwrite := func(t *testing.T, p string, body []byte) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o644)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, fi.Mode().Perm())
		if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	editRecord := func(t *testing.T, dir string, edit func(*manifest.Entry)) {
		p := filepath.Join(dir, "entry.json")
		var rec manifest.Entry
		if err := manifest.Read(p, &rec); err != nil {
			t.Fatal(err)
		}
		edit(&rec)
		data, err := manifest.Encode(&rec)
		if err != nil {
			t.Fatal(err)
		}
		overwrite(t, p, data)
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	tests := []struct {
		name   string
		tamper func(t *testing.T, e *cache.Entry)
	}{
		{"same-size bytes, mtime put back", func(t *testing.T, e *cache.Entry) {
			b, _ := os.ReadFile(e.Path)
			b[len(b)-1] ^= 1
			overwrite(t, e.Path, b)
		}},
		{"same-size bytes and the record's sha256 to match", func(t *testing.T, e *cache.Entry) {
			b, _ := os.ReadFile(e.Path)
			b[len(b)-1] ^= 1
			overwrite(t, e.Path, b)
			editRecord(t, filepath.Dir(e.Path), func(r *manifest.Entry) { r.BinarySHA256 = digest.Digest("sha256:" + sum(b)) })
		}},
		{"record's version only", func(t *testing.T, e *cache.Entry) {
			editRecord(t, filepath.Dir(e.Path), func(r *manifest.Entry) { r.Version = "9.9.9" })
		}},
		{"record's sha256 only", func(t *testing.T, e *cache.Entry) {
			editRecord(t, filepath.Dir(e.Path), func(r *manifest.Entry) { r.BinarySHA256 = digest.Digest("sha256:" + sum([]byte("other"))) })
		}},
		{"record replaced by rename", func(t *testing.T, e *cache.Entry) {
			p := filepath.Join(filepath.Dir(e.Path), "entry.json")
			b, _ := os.ReadFile(p)
			b = []byte(strings.Replace(string(b), `"0.0.47"`, `"0.0.48"`, 1))
			os.WriteFile(p+".new", b, 0o644)
			os.Rename(p+".new", p)
		}},
		{"seal removed", func(t *testing.T, e *cache.Entry) {
			os.Remove(filepath.Join(filepath.Dir(e.Path), ".seal"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, clk := openClocked(t)
			e := put(t, c, clk, "e", spec{})
			// A fresh full check: stat alone decides the next use.
			now := time.Now()
			clk.Set(now)
			os.Chtimes(filepath.Join(filepath.Dir(e.Path), ".verified"), now, now)
			// Once the files' ctimes have settled, a use remembers the
			// record and seal it checked; tampering is seen all the same.
			time.Sleep(20 * time.Millisecond)
			if _, err := c.Lookup(ctx, keyOf("e")); err != nil {
				t.Fatal(err)
			}
			if !cache.Remembers(c, keyOf("e")) {
				t.Fatal("a lookup of a settled entry did not remember its record")
			}
			tc.tamper(t, e)
			before := treeSnapshot(t, c.Dir())
			got, err := c.Lookup(ctx, keyOf("e"))
			if !errors.Is(err, cache.ErrDamaged) {
				t.Fatalf("Lookup after tampering: %+v, %v; want ErrDamaged", got, err)
			}
			if after := treeSnapshot(t, c.Dir()); after != before {
				t.Fatalf("Lookup of a damaged entry changed the cache:\n%s\nto\n%s", before, after)
			}
			if r, err := c.Verify(ctx, false); err != nil || len(r.Problems) != 1 || !errors.Is(r.Problems[0].Err, cache.ErrDamaged) {
				t.Fatalf("verify: %+v %v", r, err)
			}
			if es, err := c.Entries(ctx); len(es) != 0 && strings.HasPrefix(tc.name, "record") {
				t.Fatalf("Entries lists an entry whose record was edited: %+v %v", es, err)
			}
			// The next fill replaces it.
			f, old, err := c.Begin(ctx, keyOf("e"))
			if err != nil || old != nil {
				t.Fatalf("Begin: %+v %v", old, err)
			}
			if !errors.Is(f.SetAside(), cache.ErrDamaged) {
				t.Errorf("the fill does not say why it set the entry aside: %v", f.SetAside())
			}
			f.Abort()
		})
	}
}

// A binary touched without a change of its bytes (chmod and back) is
// re-hashed on every use and served; verify reports it, and repair seals
// it again.
func TestTouchedBinaryIsRehashedAndResealed(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	e := put(t, c, clk, "e", spec{})
	os.Chmod(e.Path, 0o755)
	os.Chmod(e.Path, 0o555)
	if _, err := c.Lookup(ctx, keyOf("e")); err != nil {
		t.Fatalf("Lookup of an unchanged binary: %v", err)
	}
	r, err := c.Verify(ctx, false)
	if err != nil || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "seal") {
		t.Fatalf("verify: %+v %v", r, err)
	}
	if r, err = c.Verify(ctx, true); err != nil || len(r.Problems) != 1 || !r.Problems[0].Repaired {
		t.Fatalf("verify --repair: %+v %v", r, err)
	}
	if r, err = c.Verify(ctx, false); err != nil || !r.OK() {
		t.Fatalf("verify after repair: %+v %v", r, err)
	}
	var s struct{ Binary struct{ CtimeNs int64 } }
	b, _ := os.ReadFile(filepath.Join(filepath.Dir(e.Path), ".seal"))
	if json.Unmarshal(b, &s) != nil || s.Binary.CtimeNs == 0 {
		t.Fatalf("seal %s", b)
	}
}
