package resolver_test

import (
	"context"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

func TestMirrors(t *testing.T) {
	ctx := context.Background()
	origin := newEnv(t)
	b, ref := origin.push(t, "openshell/supervisor:dev", fixture.Options{})
	mirror := registrytest.NewInProcess(t)
	if err := fixture.Push(ctx, mirror.Host()+"/openshell/supervisor:dev", b.Index); err != nil {
		t.Fatal(err)
	}
	empty := registrytest.NewInProcess(t)

	t.Run("mirror first", func(t *testing.T) {
		e := newEnv(t)
		e.reg = origin.reg
		var res *resolver.Result
		om, mm := origin.reg.Mark(), mirror.Mark()
		res, err := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithMirror(origin.reg.Host(), mirror.Host())).Resolve(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		origin.reg.Sync()
		mirror.Sync()
		sameBytes(t, res.Path, b.Binary("linux/amd64"))
		if n := len(origin.reg.Since(om)); n != 0 {
			t.Errorf("the origin got %d requests though the mirror had the image", n)
		}
		if len(blobGets(mirror.Since(mm))) != 1 {
			t.Errorf("mirror blob GETs: %v", blobGets(mirror.Since(mm)))
		}
		if res.Ref != ref {
			t.Errorf("result names %s, want the origin reference %s", res.Ref, ref)
		}
	})
	t.Run("falls back to the origin", func(t *testing.T) {
		e := newEnv(t)
		e.reg = origin.reg
		res, err := e.resolver(t, resolver.WithPlatform("linux/arm64"), resolver.WithMirror(origin.reg.Host(), empty.Host())).Resolve(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, res.Path, b.Binary("linux/arm64"))
	})
}
