package resolver_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// BenchmarkWarmResolve resolves a fresh tag whose entry is cached: no
// registry request, only the records, the ownership chain and the stat
// checks of the entry (the cache sits a few directories down, as under a
// home directory).
func BenchmarkWarmResolve(b *testing.B) {
	ctx := context.Background()
	reg, ref := pushedFixture(b)
	c, err := cache.Open(filepath.Join(b.TempDir(), "home", "user", ".local", "share", "cache"))
	if err != nil {
		b.Fatal(err)
	}
	r, err := resolver.New(c, resolver.WithTransport(reg.Transport()), resolver.WithKeychain(authn.NewMultiKeychain()))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Resolve(ctx, ref); err != nil {
		b.Fatal(err)
	}
	m := reg.Mark()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, ref)
		if err != nil {
			b.Fatal(err)
		}
		if res.ResolvedFrom != resolver.FromCache {
			b.Fatalf("resolved from %s, want the cache", res.ResolvedFrom)
		}
	}
	reg.Sync()
	if n := len(reg.Since(m)); n != 0 {
		b.Fatalf("warm resolves sent %d registry requests, want none", n)
	}
}

// pushedFixture is an in-process registry holding the default fixture
// image, and its reference.
func pushedFixture(b *testing.B) (*registrytest.InProcess, string) {
	b.Helper()
	ctx := context.Background()
	reg := registrytest.NewInProcess(b)
	built, err := fixture.Build(ctx, fixture.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ref := reg.Host() + "/sup:dev"
	if err := fixture.Push(ctx, ref, built.Index); err != nil {
		b.Fatal(err)
	}
	return reg, ref
}
