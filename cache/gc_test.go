package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

const day = 24 * time.Hour

// gcScene fills a cache with one entry per rule of gc, as of t0+60 days,
// and returns it with a function that releases the entries it holds.
func gcScene(t *testing.T) (*cache.Cache, func()) {
	t.Helper()
	c, clk := openClocked(t)
	ctx := context.Background()
	store := c.Records()
	idx := digest.FromString("index")         // an index with a record
	bare := digest.FromString("index no rec") // an index without one
	pinIdx := digest.FromString("pinned index")

	put(t, c, clk, "pinned", spec{repo: "a"})
	put(t, c, clk, "pinned-index", spec{repo: "b", index: pinIdx})
	put(t, c, clk, "current", spec{repo: "c"})
	put(t, c, clk, "via-index", spec{repo: "d"}) // not extracted from the index it is listed in
	put(t, c, clk, "via-index-digest", spec{repo: "e", index: bare})
	put(t, c, clk, "held", spec{repo: "f"})
	put(t, c, clk, "busy", spec{repo: "g"})
	put(t, c, clk, "recent", spec{repo: "h"})
	for i := range 3 {
		put(t, c, clk, fmt.Sprint("old", i), spec{repo: "k", at: t0.Add(time.Duration(i) * day)})
	}
	release, err := c.Hold(ctx, keyOf("held")) // in use since t0
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(60 * day))
	if _, err := c.Lookup(ctx, keyOf("recent")); err != nil { // used today
		t.Fatal(err)
	}
	for _, p := range []*manifest.Pin{
		{Name: "example.com/a:v1", Digest: digest.FromString("pinned index we never pulled"), PinnedAt: t0,
			Platforms: []manifest.Platform{{Platform: "linux/amd64", Digest: keyOf("pinned").Manifest}}},
		{Name: "example.com/b:v1", Digest: pinIdx, PinnedAt: t0},
	} {
		if err := store.PutPin(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*manifest.Ref{
		{Name: "example.com/c:dev", Digest: keyOf("current").Manifest, CheckedAt: t0},
		{Name: "example.com/d:dev", Digest: idx, CheckedAt: t0},
		{Name: "example.com/e:dev", Digest: bare, CheckedAt: t0},
	} {
		if err := store.PutRef(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.PutIndex(&manifest.Index{Digest: idx, Manifests: []manifest.Platform{
		{Platform: "linux/amd64", Digest: keyOf("via-index").Manifest},
	}}); err != nil {
		t.Fatal(err)
	}
	// An entry whose record is corrupt, and one written by a newer supctl.
	for name, body := range map[string]string{"damaged": "{", "newer": `{"schemaVersion":99}`} {
		dir := entryDir(c, name)
		os.MkdirAll(dir, 0o755)
		writeFile(t, filepath.Join(dir, "entry.json"), body)
	}

	busy := flock.New(entryDir(c, "busy") + ".lock")
	if err := busy.Lock(); err != nil {
		t.Fatal(err)
	}
	return c, func() { release(); busy.Unlock() }
}

func TestGCRules(t *testing.T) {
	const (
		pinned  = cache.ReasonPinned
		current = cache.ReasonCurrentRef
		newer   = cache.ReasonNewerSchema
		keep    = cache.ReasonKeep
		recent  = cache.ReasonRecent
		inUse   = cache.ReasonInUse
		unused  = cache.ReasonUnused
		damaged = cache.ReasonDamaged
	)
	protected := map[string]cache.Reason{
		"pinned": pinned, "pinned-index": pinned, "current": current, "via-index": current,
		"via-index-digest": current, "newer": newer, "held": inUse, "busy": inUse,
	}
	with := func(m map[string]cache.Reason) map[string]cache.Reason {
		out := map[string]cache.Reason{}
		for k, v := range protected {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		policy cache.GCPolicy
		want   map[string]cache.Reason // entry name -> reason kept or removed
	}{
		{"default", cache.GCPolicy{MaxUnused: 30 * day}, with(map[string]cache.Reason{
			"recent": recent, "old0": unused, "old1": unused, "old2": unused, "damaged": damaged})},
		{"dry run", cache.GCPolicy{MaxUnused: 30 * day, DryRun: true}, with(map[string]cache.Reason{
			"recent": recent, "old0": unused, "old1": unused, "old2": unused, "damaged": damaged})},
		{"keep two newest per repository", cache.GCPolicy{MaxUnused: 30 * day, Keep: 2}, with(map[string]cache.Reason{
			"recent": keep, "old0": unused, "old1": keep, "old2": keep, "damaged": damaged, "held": keep, "busy": keep})},
		{"max unused zero", cache.GCPolicy{}, with(map[string]cache.Reason{
			"recent": unused, "old0": unused, "old1": unused, "old2": unused, "damaged": damaged})},
		{"nothing old enough", cache.GCPolicy{MaxUnused: 365 * day}, with(map[string]cache.Reason{
			"recent": recent, "old0": recent, "old1": recent, "old2": recent, "damaged": damaged, "held": recent, "busy": recent})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, release := gcScene(t)
			defer release()
			r, err := c.GC(context.Background(), tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]cache.Reason{}
			names := map[string]string{}
			for n := range tc.want {
				names[entryDir(c, n)] = n
			}
			var freed int64
			for _, g := range r.Removed {
				got[names[g.Path]] = g.Reason
				freed += g.Bytes
				if g.Bytes <= 0 && g.Reason != damaged {
					t.Errorf("%s: removed %d bytes", names[g.Path], g.Bytes)
				}
				if exists(g.Path) != tc.policy.DryRun {
					t.Errorf("%s: removed, directory still there: %v", names[g.Path], exists(g.Path))
				}
				if !tc.policy.DryRun && !exists(g.Path+".lock") {
					t.Errorf("%s: lock file deleted", names[g.Path])
				}
			}
			for _, g := range r.Kept {
				if _, dup := got[names[g.Path]]; dup {
					t.Errorf("%s both kept and removed", names[g.Path])
				}
				got[names[g.Path]] = g.Reason
				if !exists(g.Path) {
					t.Errorf("%s: kept, but its directory is gone", names[g.Path])
				}
			}
			for n, want := range tc.want {
				if got[n] != want {
					t.Errorf("%s: %q, want %q", n, got[n], want)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("report covers %d entries, want %d: %+v", len(got), len(tc.want), r)
			}
			if r.Freed != freed || r.DryRun != tc.policy.DryRun {
				t.Errorf("freed %d, entries sum to %d; dry run %v", r.Freed, freed, r.DryRun)
			}
		})
	}
}

// A protected entry's refs say what protects it.
func TestGCReportsWhatProtects(t *testing.T) {
	c, release := gcScene(t)
	defer release()
	r, err := c.GC(context.Background(), cache.GCPolicy{MaxUnused: 30 * day, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range r.Kept {
		if g.Path == entryDir(c, "via-index") && (len(g.Refs) != 1 || g.Refs[0] != "example.com/d:dev") {
			t.Errorf("via-index kept for %v, want example.com/d:dev", g.Refs)
		}
	}
}

// A record gc cannot read (written by a newer supctl) stops it before it removes anything.
func TestGCUnreadableRecordsRemoveNothing(t *testing.T) {
	c, clk := openClocked(t)
	put(t, c, clk, "old", spec{})
	clk.Add(60 * day)
	writeFile(t, filepath.Join(c.Dir(), "refs", "future.json"), `{"schemaVersion":99,"ref":"x"}`)
	if _, err := c.GC(context.Background(), cache.GCPolicy{}); err == nil {
		t.Fatal("gc went ahead without knowing what a newer record protects")
	}
	if !exists(entryDir(c, "old")) {
		t.Fatal("entry removed")
	}
}

func TestGCLeftovers(t *testing.T) {
	c, clk := openClocked(t)
	clk.Set(time.Now()) // the file system's times are real
	entries := filepath.Join(c.Dir(), "entries")
	long := time.Now().Add(-2 * time.Hour)
	mk := func(p string, old bool) string {
		os.MkdirAll(p, 0o755)
		writeFile(t, filepath.Join(p, "x"), "left")
		if old {
			os.Chtimes(p, long, long)
		}
		return p
	}
	busyName := "sha256-" + digest.FromString("busy").Encoded()
	busy := flock.New(filepath.Join(entries, busyName+".lock"))
	busy.Lock()
	defer busy.Unlock()
	gone := []string{
		mk(filepath.Join(entries, ".tmp-sha256-"+digest.FromString("dead").Encoded()+"-123"), true),
		// Its lock is free: its writer is dead, however young it is.
		mk(filepath.Join(entries, ".tmp-sha256-"+digest.FromString("new").Encoded()+"-7"), false),
		mk(filepath.Join(entries, ".damaged-sha256-abc-1"), true),
		mk(filepath.Join(entries, ".trash-sha256-abc-2"), true),
	}
	stay := []string{
		mk(filepath.Join(entries, ".tmp-"+busyName+"-456"), true),  // its writer lives
		mk(filepath.Join(entries, ".damaged-sha256-abc-3"), false), // being deleted
	}
	for sub, old := range map[string]bool{"refs": true, "pins": false} {
		p := filepath.Join(c.Dir(), sub, ".k.json.tmp-99")
		writeFile(t, p, "{")
		if old {
			os.Chtimes(p, long, long)
			gone = append(gone, p)
		} else {
			stay = append(stay, p)
		}
	}
	r, err := c.GC(context.Background(), cache.GCPolicy{MaxUnused: 30 * day})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		if exists(p) {
			t.Errorf("leftover %s not removed", filepath.Base(p))
		}
	}
	for _, p := range stay {
		if !exists(p) {
			t.Errorf("%s removed", filepath.Base(p))
		}
	}
	if len(r.Leftovers) != len(gone) || r.Freed != int64(len("left")*4+1) {
		t.Errorf("report: %d leftovers, %d bytes freed: %+v", len(r.Leftovers), r.Freed, r.Leftovers)
	}
}

// BenchmarkGC collects 1,000 unused entries, or finds all 1,000 recent.
func BenchmarkGC(b *testing.B) {
	const n = 1000
	// fresh fills a new cache with n entries. A copy would not do: copied
	// entries have new inodes and ctimes, so their seals no longer match
	// and every entry is damaged.
	fresh := func() *cache.Cache {
		c, clk := openClocked(b)
		for i := range n {
			put(b, c, clk, fmt.Sprint("e", i), spec{repo: fmt.Sprint("r", i%10)})
		}
		syscall.Sync() // let the fills' writes not count
		return c
	}
	b.Run("remove-1000", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			c := fresh()
			cache.SetClock(c, func() time.Time { return time.Now().Add(365 * day) })
			b.StartTimer()
			r, err := c.GC(context.Background(), cache.GCPolicy{MaxUnused: 30 * day})
			if err != nil || len(r.Removed) != n {
				b.Fatalf("removed %d: %v", len(r.Removed), err)
			}
		}
	})
	b.Run("keep-1000", func(b *testing.B) {
		c := fresh()
		for b.Loop() {
			r, err := c.GC(context.Background(), cache.GCPolicy{MaxUnused: 365 * 100 * day})
			if err != nil || len(r.Kept) != n {
				b.Fatalf("kept %d: %v", len(r.Kept), err)
			}
		}
	})
}
