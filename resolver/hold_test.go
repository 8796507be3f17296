package resolver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func TestHoldKeepsTheEntryFromGC(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, _ := e.push(t, "sup:dev", fixture.Options{})
	id, _ := b.Index.Digest()
	r := e.resolver(t, resolver.WithPlatform("linux/amd64"))
	res, err := r.Resolve(ctx, e.reg.Host()+"/sup@"+id.String()) // no ref record protects it
	if err != nil {
		t.Fatal(err)
	}
	release, err := r.Hold(ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.cache.GC(ctx, cache.GCPolicy{})
	if err != nil || len(rep.Removed) != 0 {
		t.Fatalf("gc while held: removed %v, %v", rep.Removed, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	rep, err = e.cache.GC(ctx, cache.GCPolicy{})
	if err != nil || len(rep.Removed) != 1 {
		t.Fatalf("gc after release: removed %v, %v; want the entry", rep.Removed, err)
	}
	if _, err := r.Hold(ctx, res); !errors.Is(err, resolver.ErrNotCached) {
		t.Fatalf("hold of a collected entry: %v, want ErrNotCached", err)
	}
	if _, err := r.Hold(ctx, &resolver.Result{ResolvedFrom: resolver.FromFile, Path: res.Path}); err == nil {
		t.Fatal("a local file was held")
	}
}
