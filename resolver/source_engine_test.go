package resolver_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	digest "github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// loadLocal builds the fixture supervisor image of version for p and loads
// it into the engine as ref, as "docker build -t ref" would leave it; it
// is removed when the test ends.
func loadLocal(t *testing.T, e *engine.Engine, ref, version string, p v1.Platform) {
	t.Helper()
	ctx := context.Background()
	img, err := fixture.ScratchImage(ctx, p, version)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	if err := e.LoadImage(ctx, pr); err != nil {
		t.Fatal(err)
	}
	loaded, err := e.Image(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.RemoveImage(context.Background(), loaded.ID) })
}

func localRef(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return "supctl-test-local-" + hex.EncodeToString(b[:]) + "/supervisor:dev"
}

// TestLocalImage: an image built locally and never pushed is read from the
// engine, recorded with its source, reused while its image ID stays, and
// replaced at once when it is rebuilt.
func TestLocalImage(t *testing.T) {
	eng := enginetest.Open(t)
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	ref := localRef(t)
	loadLocal(t, eng, ref, "0.0.47-dev.1", host)
	env := newEnv(t)
	r := env.resolver(t, resolver.WithImageSource(resolver.SourceEngine))
	ctx := context.Background()
	res, err := r.Resolve(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromEngine || !res.Extracted || res.Version != "0.0.47-dev.1" {
		t.Fatalf("first resolve: %+v, %v", res, err)
	}
	img, err := eng.Image(ctx, ref)
	if err != nil || res.Digest.String() != img.ID {
		t.Fatalf("digest %s; the engine's image ID %s (%v)", res.Digest, img.ID, err)
	}
	e, err := env.cache.Lookup(ctx, cache.Key{Manifest: digest.Digest(img.ID), File: "/openshell-sandbox"})
	if err != nil || e.Source != "engine" || e.BinarySHA256.Encoded() != res.BinarySHA256 {
		t.Fatalf("record: %+v, %v", e, err)
	}
	again, err := r.Resolve(ctx, ref)
	if err != nil || again.Extracted || again.Path != res.Path || again.ResolvedFrom != resolver.FromEngine {
		t.Fatalf("second resolve: %+v, %v", again, err)
	}
	loadLocal(t, eng, ref, "0.0.47-dev.2", host) // a rebuild
	rebuilt, err := r.Resolve(ctx, ref)
	if err != nil || rebuilt.Version != "0.0.47-dev.2" || !rebuilt.Extracted || rebuilt.Digest == res.Digest {
		t.Fatalf("after the rebuild: %+v, %v", rebuilt, err)
	}
	// Not in the engine: not found, and no registry is asked.
	reqs := env.requests(t, func() {
		if _, err := r.Resolve(ctx, localRef(t)); !errors.Is(err, resolver.ErrNotFound) {
			t.Errorf("missing local image: %v", err)
		}
	})
	if len(reqs) != 0 {
		t.Errorf("--source engine asked the registry: %v", reqs)
	}
}

// TestLocalImageAuto: auto takes the engine's image when it is there for
// the platform, else the registry.
func TestLocalImageAuto(t *testing.T) {
	eng := enginetest.Open(t)
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	other := v1.Platform{OS: "linux", Architecture: "arm64"}
	if host.Architecture == "arm64" {
		other.Architecture = "amd64"
	}
	env := newEnv(t)
	_, ref := env.push(t, "supctl-test/supervisor:dev", fixture.Options{Version: "0.0.47-dev.3", Platforms: []v1.Platform{host}})
	ctx := context.Background()
	r := env.resolver(t, resolver.WithImageSource(resolver.SourceAuto))
	res, err := r.Resolve(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromRegistry || res.Version != "0.0.47-dev.3" {
		t.Fatalf("no local image: %+v, %v", res, err)
	}
	// A local image of another platform is passed over...
	loadLocal(t, eng, ref, "0.0.47-dev.4", other)
	if res, err := r.Resolve(ctx, ref); err != nil || res.ResolvedFrom == resolver.FromEngine {
		t.Fatalf("local image of %s: %+v, %v", other.Architecture, res, err)
	}
	if _, err := env.resolver(t, resolver.WithImageSource(resolver.SourceEngine)).Resolve(ctx, ref); !errors.Is(err, resolver.ErrNotFound) {
		t.Fatalf("engine only, wrong platform: %v", err)
	}
	// ... and one for the platform is preferred.
	loadLocal(t, eng, ref, "0.0.47-dev.5", host)
	res, err = r.Resolve(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromEngine || res.Version != "0.0.47-dev.5" {
		t.Fatalf("local image for the platform: %+v, %v", res, err)
	}
}

// TestLocalImageSymlink: a local image whose binary is a symlink is
// refused, as from a registry.
func TestLocalImageSymlink(t *testing.T) {
	eng := enginetest.Open(t)
	ctx := context.Background()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "openshell-sandbox", Linkname: "/etc/passwd"})
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layer.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref := localRef(t)
	tag, _ := name.NewTag(ref)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	if err := eng.LoadImage(ctx, pr); err != nil {
		t.Fatal(err)
	}
	loaded, err := eng.Image(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.RemoveImage(context.Background(), loaded.ID) })
	env := newEnv(t)
	_, err = env.resolver(t, resolver.WithImageSource(resolver.SourceEngine)).Resolve(ctx, ref)
	if !errors.Is(err, resolver.ErrRefused) {
		t.Fatalf("got %v; want ErrRefused", err)
	}
	t.Log(err)
}

// TestLocalImagePodman: --source engine reads an image built here and
// loaded into Podman, by Podman's image ID, without asking a registry.
func TestLocalImagePodman(t *testing.T) {
	eng, p := enginetest.OpenPodman(t)
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	ref := localRef(t)
	loadLocal(t, eng, ref, "0.0.47-dev.3", host)
	env := newEnv(t)
	r := env.resolver(t, resolver.WithImageSource(resolver.SourceEngine, p.Options()...), resolver.WithEngine(engine.Podman, p.Options()...))
	ctx := context.Background()
	var res *resolver.Result
	reqs := env.requests(t, func() {
		var err error
		if res, err = r.Resolve(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})
	img, err := eng.Image(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromEngine || !res.Extracted || res.Version != "0.0.47-dev.3" || res.Digest.String() != img.ID {
		t.Fatalf("resolved %+v; Podman's image %+v, %v", res, img, err)
	}
	if len(reqs) != 0 {
		t.Errorf("--source engine asked the registry: %v", reqs)
	}
	if _, err := r.Resolve(ctx, localRef(t)); !errors.Is(err, resolver.ErrNotFound) || !strings.Contains(err.Error(), p.Host()) {
		t.Errorf("an image Podman does not have: %v", err)
	}
}
