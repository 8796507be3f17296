package resolver_test

import (
	"context"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestWithProgress pulls an image and checks the reports of its binary's
// layer: a start at 0, growing counts, and a last report with the whole
// blob and Done.
func TestWithProgress(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewInProcess(t)
	b, err := fixture.Build(ctx, fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}, Size: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Host() + "/sup:dev"
	if err := fixture.Push(ctx, ref, b.Index); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		reports []resolver.Progress
	)
	r, err := resolver.New(c, resolver.WithPlatform("linux/amd64"), resolver.WithTransport(reg.Transport()),
		resolver.WithProgress(func(p resolver.Progress) {
			mu.Lock()
			reports = append(reports, p)
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	img := b.Images["linux/amd64"]
	layer := img.Layers[img.BinaryLayer].String()
	var mine []resolver.Progress
	for _, p := range reports {
		if p.Layer == layer {
			mine = append(mine, p)
		}
	}
	if len(mine) < 3 {
		t.Fatalf("%d reports for the binary's layer: %+v", len(mine), mine)
	}
	first, last := mine[0], mine[len(mine)-1]
	if first.Complete != 0 || first.Done || first.Total <= 0 {
		t.Errorf("first report %+v", first)
	}
	if !last.Done || last.Complete != last.Total {
		t.Errorf("last report %+v; want Done with the whole blob", last)
	}
	for i := 1; i < len(mine); i++ {
		if mine[i].Complete < mine[i-1].Complete || (mine[i-1].Done && i < len(mine)) {
			t.Fatalf("reports out of order: %+v then %+v", mine[i-1], mine[i])
		}
	}
	if _, err := resolver.New(c, resolver.WithProgress(nil)); err == nil {
		t.Error("WithProgress(nil) accepted")
	}
}
