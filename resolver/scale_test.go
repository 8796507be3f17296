package resolver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestManyLayers: an image of a thousand layers with the binary at the
// bottom, so every layer is searched. It logs the time and the bytes
// allocated per layer (compare the figures at its two sizes: the work is
// linear in the layer count); it asserts only the result. With
// SUPCTL_MEASURE=1 it measures 4,000 layers too.
func TestManyLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes a thousand layers")
	}
	sizes := []int{250, 1000}
	if os.Getenv("SUPCTL_MEASURE") == "1" {
		sizes = append(sizes, 4000)
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ctx := context.Background()
			fe := newFaultEnv(t)
			b, err := fixture.Build(ctx, fixture.Options{BuildDir: t.TempDir(), Layout: fixture.BinaryInBase, LayersAbove: n, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
			if err != nil {
				t.Fatal(err)
			}
			ref := fe.fault.Host() + "/many:dev"
			if err := fixture.Push(ctx, ref, b.Index); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			res, err := fe.resolver(t).Resolve(ctx, ref)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, res.Path, b.Binary("linux/amd64"))
			layers := len(b.Images["linux/amd64"].Layers)
			t.Logf("%d layers: %v (%v per layer), %d KiB allocated (%d bytes per layer)",
				layers, took.Round(time.Millisecond), (took / time.Duration(layers)).Round(time.Microsecond),
				(after.TotalAlloc-before.TotalAlloc)>>10, (after.TotalAlloc-before.TotalAlloc)/uint64(layers))
		})
	}
}

// TestHugeManifest: a 99 MiB manifest, streamed without a length, is
// refused after MaxManifestSize + 1 bytes; the bytes allocated are logged.
func TestHugeManifest(t *testing.T) {
	fe := newFaultEnv(t)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	fe.fault.On(registrytest.Manifests("GET"), 0, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Write([]byte("{"))
		for range 99 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := fe.resolver(t).Resolve(context.Background(), fe.ref)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, resolver.ErrRefused) {
		t.Fatalf("got %v, want a refusal", err)
	}
	t.Logf("a 99 MiB manifest: refused after %d KiB allocated (the proxy's included); served %d KiB",
		(after.TotalAlloc-before.TotalAlloc)>>10, fe.fault.Served("/v2/sup/manifests/dev")>>10)
}
