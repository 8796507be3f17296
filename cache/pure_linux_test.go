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

// badCache fills a cache with one sound entry and one of each problem
// Verify must report, and returns the paths of the problems by kind
// (leftovers under "leftover").
func badCache(t *testing.T) (*cache.Cache, map[string][]string) {
	t.Helper()
	c, clk := openClocked(t)
	now := time.Now()
	clk.Set(now)
	for _, n := range []string{"sound", "tampered", "edited", "lockdir"} {
		e := put(t, c, clk, n, spec{at: now})
		os.Chtimes(filepath.Join(filepath.Dir(e.Path), ".verified"), now, now)
	}
	bin := filepath.Join(entryDir(c, "tampered"), "openshell-sandbox")
	os.Chmod(bin, 0o755)
	writeFile(t, bin, "\x7fELF tampereX")
	os.Chmod(bin, 0o555)
	rec := filepath.Join(entryDir(c, "edited"), "entry.json")
	b, _ := os.ReadFile(rec)
	writeFile(t, rec, strings.Replace(string(b), `"0.0.47"`, `"9.9.9"`, 1))
	lock := entryDir(c, "lockdir") + ".lock"
	os.Remove(lock)
	os.Mkdir(lock, 0o755)
	ref := filepath.Join(c.Dir(), "refs", "r.json")
	writeFile(t, ref, "{nope")
	refDir := filepath.Join(c.Dir(), "pins", "d.json")
	os.Mkdir(refDir, 0o755)
	if err := c.Records().PutRef(&manifest.Ref{Name: "example.com/sup:dev", Digest: keyOf("sound").Manifest, CheckedAt: now}); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(c.Dir(), "entries", ".tmp-"+filepath.Base(entryDir(c, "gone"))+"-9")
	os.MkdirAll(dead, 0o755)
	writeFile(t, filepath.Join(dead, "openshell-sandbox"), "half")
	tmpSeal := filepath.Join(entryDir(c, "sound"), ".seal.tmp-7")
	writeFile(t, tmpSeal, "{")
	tmpRec := filepath.Join(c.Dir(), "indexes", ".x.json.tmp-1")
	writeFile(t, tmpRec, "{")
	old := now.Add(-time.Hour)
	os.Chtimes(tmpRec, old, old)
	return c, map[string][]string{
		cache.ProblemEntry:  {entryDir(c, "edited"), entryDir(c, "tampered")},
		cache.ProblemLock:   {lock},
		cache.ProblemRecord: {ref, refDir},
		"leftover":          {tmpSeal, dead, tmpRec},
	}
}

// Looking up, listing, reading the roots, a dry-run collection and a
// verify without repair change nothing on disk: no file is created, moved,
// rewritten or even touched, damaged entries and corrupt records included.
func TestReadsArePure(t *testing.T) {
	ctx := context.Background()
	c, _ := badCache(t)
	before := treeSnapshot(t, c.Dir())
	for _, n := range []string{"sound", "tampered", "edited", "lockdir", "gone"} {
		c.Lookup(ctx, keyOf(n))
	}
	c.Entries(ctx)
	c.Roots(ctx)
	if _, err := c.GC(ctx, cache.GCPolicy{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(ctx, false); err != nil {
		t.Fatal(err)
	}
	if after := treeSnapshot(t, c.Dir()); after != before {
		t.Fatalf("a read changed the cache:\n%s", diffLines(before, after))
	}
}

// A lock file that is a directory does not stop a collection: that entry
// is kept, the others are collected.
func TestGCGoesOnPastABadLock(t *testing.T) {
	c, _ := badCache(t)
	r, err := c.GC(context.Background(), cache.GCPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	var bad int
	for _, g := range r.Kept {
		if g.Reason == cache.ReasonBadLock {
			bad++
			if g.Path != entryDir(c, "lockdir") {
				t.Errorf("kept for its lock: %s", g.Path)
			}
		}
	}
	if bad != 1 || len(r.Removed) == 0 {
		t.Fatalf("removed %+v, kept %+v", r.Removed, r.Kept)
	}
}

// Verify reports every problem, each once, and goes on after each; repair
// fixes all of them but none of the sound entry.
func TestVerifyReportsEverything(t *testing.T) {
	ctx := context.Background()
	c, want := badCache(t)
	r, err := c.Verify(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, p := range r.Problems {
		got[p.Kind] = append(got[p.Kind], p.Path)
	}
	for _, l := range r.Leftovers {
		got["leftover"] = append(got["leftover"], l.Path)
	}
	for kind, paths := range want {
		if strings.Join(got[kind], " ") != strings.Join(paths, " ") {
			t.Errorf("%s problems: %v, want %v", kind, got[kind], paths)
		}
	}
	if len(r.Problems) != 5 || len(r.Leftovers) != 3 {
		t.Errorf("%d problems: %+v", len(r.Problems), r.Problems)
	}
	r, err = c.Verify(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		if !p.Repaired {
			t.Errorf("not repaired: %+v", p)
		}
	}
	for _, l := range r.Leftovers {
		if l.Action != "removed" {
			t.Errorf("not removed: %+v", l)
		}
	}
	if r, err = c.Verify(ctx, false); err != nil || !r.OK() || len(r.Leftovers) != 0 {
		t.Fatalf("after repair: %+v %+v %v", r.Problems, r.Leftovers, err)
	}
	if _, err := c.Lookup(ctx, keyOf("sound")); err != nil {
		t.Fatal(err)
	}
}

// diffLines shows the lines of a that b lacks and the other way round.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

// OpenExisting on a directory that is not (yet) a cache, and every read of
// the cache it opens, create nothing at all: no entries/, refs/, indexes/
// or pins/, no lock file.
func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	for _, what := range []string{"empty", "other files", "entries only"} {
		t.Run(what, func(t *testing.T) {
			dir := t.TempDir()
			switch what {
			case "other files":
				writeFile(t, filepath.Join(dir, "notes.txt"), "mine")
			case "entries only":
				os.Mkdir(filepath.Join(dir, "entries"), 0o755)
			}
			before := treeSnapshot(t, dir)
			c, err := cache.OpenExisting(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Lookup(ctx, keyOf("e")); !errors.Is(err, cache.ErrNotCached) {
				t.Errorf("Lookup: %v, want ErrNotCached", err)
			}
			if es, err := c.Entries(ctx); err != nil || len(es) != 0 {
				t.Errorf("Entries: %v %v", es, err)
			}
			if _, err := c.Roots(ctx); err != nil {
				t.Errorf("Roots: %v", err)
			}
			if _, err := c.GC(ctx, cache.GCPolicy{DryRun: true}); err != nil {
				t.Errorf("GC dry run: %v", err)
			}
			if r, err := c.Verify(ctx, false); err != nil || !r.OK() || r.Entries != 0 || len(r.Leftovers) != 0 {
				t.Errorf("Verify: %+v %v", r, err)
			}
			if after := treeSnapshot(t, dir); after != before {
				t.Fatalf("a read created or changed files:\n%s", diffLines(before, after))
			}
		})
	}
}
