package cache_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

func TestHold(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	if _, err := c.Hold(ctx, keyOf("absent")); !errors.Is(err, cache.ErrNotCached) {
		t.Fatalf("hold of an absent entry: %v, want ErrNotCached", err)
	}
	put(t, c, clk, "e", spec{})
	release, err := c.Hold(ctx, keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	// Holders share: a second hold, and a verify, go ahead.
	release2, err := c.Hold(ctx, keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Verify(ctx, false); err != nil || !r.OK() {
		t.Fatalf("verify of a held entry: %+v %v", r, err)
	}
	clk.Add(365 * day)
	r, err := c.GC(ctx, cache.GCPolicy{})
	if err != nil || len(r.Removed) != 0 || r.Kept[0].Reason != cache.ReasonInUse {
		t.Fatalf("gc of a held entry: %+v %v", r, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if r, _ := c.GC(ctx, cache.GCPolicy{}); len(r.Removed) != 0 {
		t.Fatalf("gc removed an entry still held by a second holder: %+v", r)
	}
	release2()
	if r, _ := c.GC(ctx, cache.GCPolicy{}); len(r.Removed) != 1 {
		t.Fatalf("gc kept a released entry: %+v", r)
	}
	if _, err := c.Hold(ctx, keyOf("e")); !errors.Is(err, cache.ErrNotCached) {
		t.Fatalf("hold of a collected entry: %v, want ErrNotCached", err)
	}
}

// Hold waits for a fill in progress, until its context is done.
func TestHoldWaitsForFill(t *testing.T) {
	c, clk := openClocked(t)
	f, _, err := c.Begin(context.Background(), keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Hold(ctx, keyOf("e")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hold during a fill: %v, want the context's error", err)
	}
	f.Abort()
	put(t, c, clk, "e", spec{})
	release, err := c.Hold(context.Background(), keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	release()
}

func TestHoldRefusesDamage(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	e := put(t, c, clk, "e", spec{})
	os.Chmod(e.Path, 0o755)
	if _, err := c.Hold(ctx, keyOf("e")); !errors.Is(err, cache.ErrDamaged) {
		t.Fatalf("hold of a damaged entry: %v, want ErrDamaged", err)
	}
	// It holds nothing: the entry can be filled again at once.
	f, _, err := c.Begin(ctx, keyOf("e"))
	if err != nil || f == nil {
		t.Fatalf("Begin after a refused hold: %v", err)
	}
	f.Abort()
}

// An entry damaged while held cannot be replaced; a fill says so rather
// than wait for as long as the holder runs.
func TestFillOfHeldDamagedEntry(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	cache.SetHeldGrace(c, 20*time.Millisecond)
	e := put(t, c, clk, "e", spec{})
	release, err := c.Hold(ctx, keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(e.Path, 0o755)
	if _, _, err := c.Begin(ctx, keyOf("e")); !errors.Is(err, cache.ErrInUse) || !errors.Is(err, cache.ErrDamaged) {
		t.Fatalf("fill of a held damaged entry: %v, want ErrInUse and ErrDamaged", err)
	}
	r, _ := c.Verify(ctx, true)
	if len(r.Problems) != 1 || r.Problems[0].Repaired {
		t.Fatalf("repair of a held entry: %+v", r.Problems)
	}
	release()
	f, _, err := c.Begin(ctx, keyOf("e"))
	if err != nil || f == nil {
		t.Fatalf("fill after release: %v", err)
	}
	f.Abort()
}

func TestEntries(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	put(t, c, clk, "a", spec{})
	clk.Add(time.Hour)
	put(t, c, clk, "b", spec{at: t0.Add(time.Hour)})
	clk.Add(2 * time.Hour)
	if _, err := c.Lookup(ctx, keyOf("a")); err != nil {
		t.Fatal(err)
	}
	entries := filepath.Join(c.Dir(), "entries")
	os.MkdirAll(filepath.Join(entries, ".tmp-sha256-x-1"), 0o755)
	os.MkdirAll(filepath.Join(entries, "sha256-broken"), 0o755)
	es, err := c.Entries(ctx)
	var ee *cache.EntryError
	if !errors.As(err, &ee) || ee.Name != "sha256-broken" || !errors.Is(err, cache.ErrDamaged) {
		t.Fatalf("Entries error %v, want an EntryError for sha256-broken", err)
	}
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2", len(es))
	}
	for _, e := range es {
		want := map[string]time.Time{keyOf("a").String(): t0.Add(3 * time.Hour), keyOf("b").String(): t0.Add(time.Hour)}[e.Key().String()]
		if !e.LastUsed.Equal(want) || !exists(e.Path) {
			t.Errorf("%s last used %v, want %v", e.Key(), e.LastUsed, want)
		}
	}
}

// An entry written by a newer supctl is neither used nor replaced.
func TestNewerEntryIsLeftAlone(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	e := put(t, c, clk, "e", spec{})
	rec := filepath.Join(filepath.Dir(e.Path), "entry.json")
	future := `{"schemaVersion":2,"size":5}`
	writeFile(t, rec, future)
	if _, err := c.Lookup(ctx, keyOf("e")); !errors.Is(err, manifest.ErrSchema) || errors.Is(err, cache.ErrDamaged) {
		t.Fatalf("lookup: %v, want ErrSchema", err)
	}
	if _, _, err := c.Begin(ctx, keyOf("e")); !errors.Is(err, manifest.ErrSchema) {
		t.Fatalf("begin: %v, want ErrSchema", err)
	}
	if r, _ := c.GC(ctx, cache.GCPolicy{}); len(r.Removed) != 0 {
		t.Fatalf("gc removed a newer entry: %+v", r)
	}
	if b, _ := os.ReadFile(rec); string(b) != future {
		t.Fatalf("record changed to %q", b)
	}
}

// An entry committed held is in use from its commit on: a collection
// running at once keeps it, others can hold it too, and a release lets it
// go.
func TestCommitAndHold(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	cache.SetHeldGrace(c, 20*time.Millisecond)
	f, _, err := c.Begin(ctx, keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("\x7fELF e")); err != nil {
		t.Fatal(err)
	}
	e, release, err := f.CommitAndHold(manifest.Entry{
		Ref: "example.com/sup:e", Registry: "example.com", Repository: "sup", Platform: "linux/amd64",
		LayerDigest: digest.FromString("layer e"), Version: "0.0.47", VersionSource: "run", ExtractedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(365 * day)
	r, err := c.GC(ctx, cache.GCPolicy{})
	if err != nil || len(r.Removed) != 0 || len(r.Kept) != 1 || r.Kept[0].Reason != cache.ReasonInUse {
		t.Fatalf("gc of an entry committed held: %+v %v", r, err)
	}
	if _, err := os.Stat(e.Path); err != nil {
		t.Fatal(err)
	}
	// Held shared, like any hold.
	release2, err := c.Hold(ctx, keyOf("e"))
	if err != nil {
		t.Fatal(err)
	}
	release2()
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if r, _ := c.GC(ctx, cache.GCPolicy{}); len(r.Removed) != 1 {
		t.Fatalf("gc kept a released entry: %+v", r)
	}
}
