package cache_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

func TestVerify(t *testing.T) {
	bin := func(c *cache.Cache) string { return filepath.Join(entryDir(c, "e"), "openshell-sandbox") }
	rec := func(c *cache.Cache) string { return filepath.Join(entryDir(c, "e"), "entry.json") }
	ref := func(c *cache.Cache) string { return filepath.Join(c.Dir(), "refs", "r.json") }
	future := `{"schemaVersion":99,"ref":"x","what":"new"}`
	tests := []struct {
		name   string
		damage func(t *testing.T, c *cache.Cache) string // returns the path that must be reported
		want   error
	}{
		{"same size other bytes", func(t *testing.T, c *cache.Cache) string {
			os.Chmod(bin(c), 0o755)
			b, _ := os.ReadFile(bin(c))
			b[len(b)-1] ^= 1
			writeFile(t, bin(c), string(b))
			os.Chmod(bin(c), 0o555)
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"truncated", func(t *testing.T, c *cache.Cache) string {
			os.Chmod(bin(c), 0o755)
			os.Truncate(bin(c), 3)
			os.Chmod(bin(c), 0o555)
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"wrong mode", func(t *testing.T, c *cache.Cache) string {
			os.Chmod(bin(c), 0o755)
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"binary missing", func(t *testing.T, c *cache.Cache) string {
			os.Remove(bin(c))
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"binary replaced by a symlink", func(t *testing.T, c *cache.Cache) string {
			os.Remove(bin(c))
			os.Symlink("/bin/sh", bin(c))
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"corrupt entry record", func(t *testing.T, c *cache.Cache) string {
			writeFile(t, rec(c), `{"schemaVersion":1,`)
			return entryDir(c, "e")
		}, cache.ErrDamaged},
		{"record of another entry", func(t *testing.T, c *cache.Cache) string {
			os.Rename(entryDir(c, "e"), entryDir(c, "elsewhere"))
			return entryDir(c, "elsewhere")
		}, cache.ErrDamaged},
		{"corrupt ref record", func(t *testing.T, c *cache.Cache) string {
			writeFile(t, ref(c), "{nope")
			return ref(c)
		}, manifest.ErrCorrupt},
		{"misnamed index record", func(t *testing.T, c *cache.Cache) string {
			p := filepath.Join(c.Dir(), "indexes", "sha256-"+keyOf("x").Manifest.Encoded()+".json")
			data, _ := manifest.Encode(&manifest.Index{Digest: keyOf("y").Manifest})
			writeFile(t, p, string(data))
			return p
		}, manifest.ErrCorrupt},
		{"misplaced ref record", func(t *testing.T, c *cache.Cache) string {
			data, _ := manifest.Encode(&manifest.Ref{Name: "example.com/other:dev", Digest: keyOf("e").Manifest, CheckedAt: t0})
			writeFile(t, ref(c), string(data))
			return ref(c)
		}, manifest.ErrCorrupt},
		{"future ref record", func(t *testing.T, c *cache.Cache) string {
			writeFile(t, ref(c), future)
			return ref(c)
		}, manifest.ErrSchema},
		{"future entry record", func(t *testing.T, c *cache.Cache) string {
			writeFile(t, rec(c), future)
			return entryDir(c, "e")
		}, manifest.ErrSchema},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, clk := openClocked(t)
			put(t, c, clk, "e", spec{})
			put(t, c, clk, "sound", spec{})
			if err := c.Records().PutRef(&manifest.Ref{Name: "example.com/sup:dev", Digest: keyOf("e").Manifest, CheckedAt: t0}); err != nil {
				t.Fatal(err)
			}
			if r, err := c.Verify(ctx, false); err != nil || !r.OK() || r.Entries != 2 || r.Records != 1 {
				t.Fatalf("sound cache: %+v, %v", r, err)
			}
			path := tc.damage(t, c)
			before := snapshot(t, c.Dir())

			r, err := c.Verify(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) != 1 || r.Problems[0].Path != path || !errors.Is(r.Problems[0].Err, tc.want) || r.Problems[0].Repaired {
				t.Fatalf("verify reported %+v, want one problem at %s matching %v", r.Problems, path, tc.want)
			}
			if after := snapshot(t, c.Dir()); after != before {
				t.Fatalf("verify without repair changed the cache:\n%s\nto\n%s", before, after)
			}

			r, err = c.Verify(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			schema := errors.Is(tc.want, manifest.ErrSchema)
			if len(r.Problems) != 1 || r.Problems[0].Repaired == schema {
				t.Fatalf("repair: %+v", r.Problems)
			}
			r, err = c.Verify(ctx, false)
			switch {
			case err != nil:
				t.Fatal(err)
			case schema:
				if len(r.Problems) != 1 {
					t.Fatalf("a newer record is no longer reported: %+v", r.Problems)
				}
				file := path
				if path != ref(c) {
					file = filepath.Join(path, "entry.json")
				}
				if b, _ := os.ReadFile(file); string(b) != future {
					t.Fatalf("the newer record %s was changed to %q", file, b)
				}
				return
			case !r.OK():
				t.Fatalf("after repair: %+v", r.Problems)
			}
			// A bad entry is extracted again; the sound one is kept.
			f, e, err := c.Begin(ctx, keyOf("e"))
			if entry := errors.Is(tc.want, cache.ErrDamaged); err != nil || (e == nil) != entry {
				t.Fatalf("after repair Begin gave %v, %v; want a fill: %v", e, err, entry)
			}
			f.Abort()
			if _, err := c.Lookup(ctx, keyOf("sound")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// snapshot lists the files under dir with their sizes and modes.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var s string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && filepath.Ext(p) != ".lock" && filepath.Base(p) != ".verified" && filepath.Base(p) != ".used" {
			s += p + " " + fi.Mode().String() + "\n"
		}
		return nil
	})
	return s
}

// Verify lists the leftovers of killed writers apart from its problems,
// by the rule of StaleAge, with their age and what removes them, and not
// the temporary directory of a live one: they do not make the report fail.
// Repair removes them.
func TestVerifyReportsLeftovers(t *testing.T) {
	c, clk := openClocked(t)
	clk.Set(time.Now())
	put(t, c, clk, "e", spec{})
	f, _, err := c.Begin(context.Background(), keyOf("being filled"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	f.Write([]byte("half"))
	dead := filepath.Join(c.Dir(), "entries", ".tmp-sha256-dead-1")
	os.MkdirAll(dead, 0o755)
	os.MkdirAll(filepath.Join(c.Dir(), "entries", ".damaged-sha256-dead-1"), 0o755) // young: being deleted
	rec := filepath.Join(c.Dir(), "refs", ".k.json.tmp-1")
	writeFile(t, rec, "{")
	long := time.Now().Add(-time.Hour)
	os.Chtimes(rec, long, long)
	r, err := c.Verify(context.Background(), false)
	if err != nil || r.Entries != 1 || !r.OK() || len(r.Problems) != 0 || len(r.Leftovers) != 2 {
		t.Fatalf("%+v %v, want no problem and two leftovers", r, err)
	}
	for i, want := range []string{dead, rec} {
		l := r.Leftovers[i]
		if l.Path != want || !strings.Contains(l.String(), "killed") || !strings.Contains(l.String(), "a collection or a repairing verification removes it") || l.Action != "" {
			t.Errorf("leftover %d: %+v (%s), want one at %s", i, l, l, want)
		}
	}
	if l := r.Leftovers[1]; l.AgeSeconds/60 != 59 && l.AgeSeconds/60 != 60 || !strings.Contains(l.String(), "1h0m0s ago") {
		t.Errorf("age not reported: %+v %s", l, l)
	}
	if r, err = c.Verify(context.Background(), true); err != nil || !r.OK() || len(r.Leftovers) != 2 || r.Leftovers[0].Action != "removed" || r.Leftovers[1].Action != "removed" {
		t.Fatalf("repair: %+v %v", r, err)
	}
	if exists(dead) || exists(rec) {
		t.Fatal("leftovers still there after repair")
	}
	if r, err = c.Verify(context.Background(), false); err != nil || !r.OK() || len(r.Leftovers) != 0 {
		t.Fatalf("after repair: %+v %v", r, err)
	}
}

// Repair refreshes the full-check stamp of sound entries; a plain verify
// changes nothing.
func TestVerifyRepairRefreshesStamps(t *testing.T) {
	c, clk := openClocked(t)
	put(t, c, clk, "e", spec{})
	stamp := filepath.Join(entryDir(c, "e"), ".verified")
	clk.Add(3 * day)
	for _, repair := range []bool{false, true} {
		if r, err := c.Verify(context.Background(), repair); err != nil || !r.OK() {
			t.Fatalf("%+v %v", r, err)
		}
		fi, _ := os.Stat(stamp)
		if want := map[bool]time.Time{false: t0, true: t0.Add(3 * day)}[repair]; !fi.ModTime().Equal(want) {
			t.Errorf("repair %v: stamp at %v, want %v", repair, fi.ModTime(), want)
		}
	}
}
