package resolver_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/resolver"
)

// An entry written by a newer supctl is neither used nor replaced: Resolve
// says so with an error matching manifest.ErrSchema.
func TestResolveNewerSchema(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := e.pushUnprotected(t)
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()))
	res, err := r.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(filepath.Dir(res.Path), "entry.json")
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	newer := strings.Replace(string(data), `"schemaVersion": 1`, `"schemaVersion": 99`, 1)
	if newer == string(data) {
		t.Fatalf("no schemaVersion 1 in %s", data)
	}
	os.Chmod(filepath.Dir(rec), 0o755)
	os.Chmod(rec, 0o644)
	if err := os.WriteFile(rec, []byte(newer), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, resolve := range []func() error{
		func() error { _, err := r.Resolve(ctx, ref); return err },
		func() error { _, err := r.ResolveAndHold(ctx, ref); return err },
	} {
		if err := resolve(); !errors.Is(err, manifest.ErrSchema) {
			t.Errorf("resolve of an entry of a newer schema: %v, want manifest.ErrSchema", err)
		}
	}
}

// A damaged entry that another process holds cannot be extracted again:
// Resolve gives up with an error matching cache.ErrInUse and
// cache.ErrDamaged.
func TestResolveDamagedHeldEntry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := e.pushUnprotected(t)
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()))
	h, err := r.ResolveAndHold(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	if err := os.Chmod(h.Path, 0o755); err != nil { // mode 0555 is part of its record
		t.Fatal(err)
	}
	_, err = r.Resolve(ctx, ref)
	if !errors.Is(err, cache.ErrInUse) || !errors.Is(err, cache.ErrDamaged) {
		t.Fatalf("resolve of a damaged held entry: %v, want cache.ErrInUse and cache.ErrDamaged", err)
	}
}
