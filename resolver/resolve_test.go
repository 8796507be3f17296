package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func TestColdThenWarmPull(t *testing.T) {
	fixture.OtherPlatformUnrunnable(t) // expects it not to run here
	tests := []struct {
		platform    string
		layout      fixture.Layout
		compression fixture.Compression
		above       int
		source      string // expected version source on this host
	}{
		{fixture.HostPlatform(), fixture.BinaryOnTop, fixture.Gzip, 0, "run"},
		{fixture.OtherPlatform(), fixture.BinaryOnTop, fixture.Gzip, 0, "elf-string"},
		{fixture.HostPlatform(), fixture.BinaryOnTop, fixture.Zstd, 2, "run"},
		{fixture.OtherPlatform(), fixture.BinaryInBase, fixture.Gzip, 3, "elf-string"},
		{fixture.HostPlatform(), fixture.BinaryInBase, fixture.Zstd, -1, "run"},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s/%v/%v/above%d", tc.platform, tc.layout, tc.compression, tc.above), func(t *testing.T) {
			e := newEnv(t)
			version := fmt.Sprintf("0.0.%d-dev.%d+g57b71c6", 47+i, 10+i)
			b, ref := e.push(t, "openshell/supervisor:dev", fixture.Options{
				Version: version, Layout: tc.layout, Compression: tc.compression, LayersAbove: tc.above,
			})
			img := b.Images[tc.platform]
			r := e.resolver(t, resolver.WithPlatform(tc.platform))
			ctx := context.Background()

			var res *resolver.Result
			reqs := e.requests(t, func() {
				var err error
				if res, err = r.Resolve(ctx, ref); err != nil {
					t.Fatal(err)
				}
			})
			sameBytes(t, res.Path, img.Binary)
			md, _ := img.Image.Digest()
			id, _ := b.Index.Digest()
			if res.Digest.String() != md.String() || res.IndexDigest.String() != id.String() || res.Platform != tc.platform {
				t.Errorf("result names %s in %s for %s, want %s in %s for %s", res.Digest, res.IndexDigest, res.Platform, md, id, tc.platform)
			}
			if res.Version != version || res.VersionSource != tc.source {
				t.Errorf("version %q from %q, want %q from %q", res.Version, res.VersionSource, version, tc.source)
			}
			if !res.Extracted || res.ResolvedFrom != resolver.FromRegistry || res.BinarySHA256 != img.BinaryDigest.Hex {
				t.Errorf("extracted=%v from=%s sha=%s, want true, registry, %s", res.Extracted, res.ResolvedFrom, res.BinarySHA256, img.BinaryDigest.Hex)
			}
			if fi, err := os.Stat(res.Path); err != nil || fi.Mode().Perm() != 0o555 {
				t.Errorf("binary mode: %v %v, want -r-xr-xr-x", fi.Mode(), err)
			}
			// Only the layers from the top down to the binary's are fetched,
			// each once.
			gets := blobGets(reqs)
			for li, l := range img.Layers {
				want := 0
				if li >= img.BinaryLayer {
					want = 1
				}
				if gets[l.String()] != want {
					t.Errorf("layer %d of %d (%s) fetched %d times, want %d", li, len(img.Layers), l, gets[l.String()], want)
				}
			}

			// Warm: no request at all, same file.
			var warm *resolver.Result
			reqs = e.requests(t, func() {
				var err error
				if warm, err = e.resolver(t, resolver.WithPlatform(tc.platform)).Resolve(ctx, ref); err != nil {
					t.Fatal(err)
				}
			})
			if len(reqs) != 0 {
				t.Errorf("warm pull sent %d requests: %v", len(reqs), reqs)
			}
			if warm.Path != res.Path || warm.Extracted || warm.ResolvedFrom != resolver.FromCache || warm.Version != version {
				t.Errorf("warm pull: %+v", warm)
			}
		})
	}
}

func TestFreshness(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := e.push(t, "sup:dev", fixture.Options{Version: "0.0.37-dev.160"})
	r := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithMaxAge(time.Hour))
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	// The tag moves; within max age the cache answers without asking.
	b2, _ := e.push(t, "sup:dev", fixture.Options{Version: "0.0.47-dev.13"})
	e.clock.Add(30 * time.Minute)
	var res *resolver.Result
	reqs := e.requests(t, func() { res, _ = r.Resolve(ctx, ref) })
	if len(reqs) != 0 || res.Version != "0.0.37-dev.160" {
		t.Fatalf("fresh tag: %d requests, version %q; want 0 requests, the cached version", len(reqs), res.Version)
	}
	// Past max age: one HEAD sees the move, and the new binary is pulled.
	e.clock.Add(time.Hour)
	reqs = e.requests(t, func() {
		var err error
		if res, err = r.Resolve(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})
	if res.Version != "0.0.47-dev.13" || !res.Extracted {
		t.Fatalf("after the tag moved: version %q extracted=%v", res.Version, res.Extracted)
	}
	sameBytes(t, res.Path, b2.Binary("linux/amd64"))
	if m := manifestRequests(reqs); m["HEAD"] != 1 {
		t.Errorf("manifest requests %v, want one HEAD", m)
	}
	// Stale but unchanged: exactly one manifest request, a HEAD, no blob.
	e.clock.Add(2 * time.Hour)
	reqs = e.requests(t, func() {
		var err error
		if res, err = r.Resolve(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})
	if m := manifestRequests(reqs); m["HEAD"] != 1 || m["GET"] != 0 || len(blobGets(reqs)) != 0 {
		t.Errorf("stale unchanged tag: manifest requests %v, blob GETs %v; want exactly one HEAD", m, blobGets(reqs))
	}
	if res.ResolvedFrom != resolver.FromRegistry || res.Extracted || !res.CheckedAt.Equal(e.clock.Now().UTC()) {
		t.Errorf("stale unchanged tag: from %s extracted=%v checked %v", res.ResolvedFrom, res.Extracted, res.CheckedAt)
	}
	// Policy always: a HEAD even when fresh.
	reqs = e.requests(t, func() {
		if _, err := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithPullPolicy(resolver.PullAlways)).Resolve(ctx, ref); err != nil {
			t.Fatal(err)
		}
	})
	if m := manifestRequests(reqs); m["HEAD"] != 1 {
		t.Errorf("pull always: manifest requests %v, want one HEAD", m)
	}
}

func TestReleaseTagAndDigestAreImmutable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, ref := e.push(t, "sup:0.0.47", fixture.Options{Version: "0.0.47"})
	r := e.resolver(t, resolver.WithPlatform("linux/arm64"), resolver.WithMaxAge(0))
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	id, _ := b.Index.Digest()
	byDigest := e.reg.Host() + "/sup@" + id.String()
	e.clock.Add(1000 * time.Hour)
	for _, s := range []string{ref, byDigest} {
		var res *resolver.Result
		reqs := e.requests(t, func() {
			var err error
			if res, err = r.Resolve(ctx, s); err != nil {
				t.Fatal(err)
			}
		})
		if len(reqs) != 0 || res.ResolvedFrom != resolver.FromCache {
			t.Errorf("%s: %d requests, from %s; want none, from cache", s, len(reqs), res.ResolvedFrom)
		}
	}
}

// TestImmutableTagsOption: which tags are immutable is configurable; a tag
// the classifier names is served from the cache however old its check, and
// a release tag it does not name floats.
func TestImmutableTagsOption(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, stable := e.push(t, "sup:stable", fixture.Options{Version: "0.0.47"})
	_, release := e.push(t, "sup:0.0.48", fixture.Options{Version: "0.0.48"})
	r := e.resolver(t, resolver.WithPlatform("linux/arm64"), resolver.WithMaxAge(0),
		resolver.WithImmutableTags(func(tag string) bool { return tag == "stable" }))
	for _, ref := range []string{stable, release} {
		if _, err := r.Resolve(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Add(1000 * time.Hour)
	for _, tc := range []struct {
		ref       string
		immutable bool
	}{{stable, true}, {release, false}} {
		reqs := e.requests(t, func() {
			if _, err := r.Resolve(ctx, tc.ref); err != nil {
				t.Fatal(err)
			}
		})
		if tc.immutable != (len(reqs) == 0) {
			t.Errorf("%s: %d registry requests; immutable %v", tc.ref, len(reqs), tc.immutable)
		}
	}
}

func TestPullByDigestCold(t *testing.T) {
	e := newEnv(t)
	b, _ := e.push(t, "sup:dev", fixture.Options{})
	id, _ := b.Index.Digest()
	res, err := e.resolver(t, resolver.WithPlatform("linux/arm64")).Resolve(context.Background(), e.reg.Host()+"/sup@"+id.String())
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, res.Path, b.Binary("linux/arm64"))
	if res.IndexDigest.String() != id.String() {
		t.Errorf("index digest %s, want %s", res.IndexDigest, id)
	}
}

func TestSingleManifestImage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bi, err := fixture.BuildImage(ctx, fixture.Options{Version: "1.2.3"}, plat("linux/amd64"))
	if err != nil {
		t.Fatal(err)
	}
	ref := e.reg.Host() + "/single:latest"
	if err := fixture.PushImage(ctx, ref, bi.Image); err != nil {
		t.Fatal(err)
	}
	res, err := e.resolver(t, resolver.WithPlatform("linux/amd64")).Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, res.Path, bi.Binary)
	if res.IndexDigest != "" || res.Version != "1.2.3" {
		t.Errorf("single manifest: index %q version %q", res.IndexDigest, res.Version)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		opts fixture.Options
	}{
		{"whiteout", fixture.Options{Layout: fixture.WhiteoutOnTop}},
		{"opaque", fixture.Options{Layout: fixture.OpaqueOnTop}},
		{"missing", fixture.Options{Layout: fixture.BinaryMissing}},
		// A directory at the binary's path deletes the lower file, as the
		// engine shows it: explicit, implied by an entry below it, or
		// implied by an opaque marker inside it.
		{"directory", fixture.Options{Layout: fixture.DirectoryOnTop}},
		{"implied-directory", fixture.Options{Layout: fixture.ImpliedDirOnTop}},
		{"opaque-inside", fixture.Options{Layout: fixture.OpaqueInsideOnTop}},
		{"hostile-directory", fixture.Options{Hostile: fixture.HostileDirectory}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, ref := e.push(t, "nf-"+tc.name+":dev", tc.opts)
			img := b.Images["linux/amd64"]
			var err error
			reqs := e.requests(t, func() {
				_, err = e.resolver(t, resolver.WithPlatform("linux/amd64")).Resolve(ctx, ref)
			})
			if !errors.Is(err, resolver.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if tc.opts.Layout != fixture.BinaryMissing {
				// The layer holding the stale binary lies below the whiteout:
				// never downloaded.
				if n := blobGets(reqs)[img.Layers[img.BinaryLayer].String()]; n != 0 {
					t.Errorf("the whited-out layer was fetched %d times", n)
				}
			}
		})
	}
	t.Run("platform", func(t *testing.T) {
		_, ref := e.push(t, "amd64only:dev", fixture.Options{Platforms: []v1.Platform{plat("linux/amd64")}})
		_, err := e.resolver(t, resolver.WithPlatform("linux/arm64")).Resolve(ctx, ref)
		var pe *resolver.PlatformError
		if !errors.As(err, &pe) || !errors.Is(err, resolver.ErrNotFound) || len(pe.Have) != 1 || pe.Have[0] != "linux/amd64" {
			t.Fatalf("got %v, want a PlatformError listing linux/amd64", err)
		}
	})
	t.Run("tag", func(t *testing.T) {
		_, err := e.resolver(t).Resolve(ctx, e.reg.Host()+"/nothing:here")
		if !errors.Is(err, resolver.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})
}

func TestRegistryDown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := e.push(t, "sup:dev", fixture.Options{})
	r := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithMaxAge(time.Minute))
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	e.reg.(interface{ Close() }).Close()
	e.clock.Add(time.Hour)
	res, err := r.Resolve(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromStaleCache {
		t.Fatalf("stale-if-error: %v %+v", err, res)
	}
	_, err = r.Resolve(ctx, e.reg.Host()+"/other:dev")
	if !errors.Is(err, resolver.ErrUnreachable) {
		t.Fatalf("uncached ref with the registry down: %v, want ErrUnreachable", err)
	}
}

func TestPullNever(t *testing.T) {
	e := newEnv(t)
	_, ref := e.push(t, "sup:dev", fixture.Options{})
	var err error
	reqs := e.requests(t, func() {
		_, err = e.resolver(t, resolver.WithPullPolicy(resolver.PullNever)).Resolve(context.Background(), ref)
	})
	if !errors.Is(err, resolver.ErrNotCached) || !errors.Is(err, fs.ErrNotExist) || len(reqs) != 0 {
		t.Fatalf("got %v after %d requests; want ErrNotCached and no request", err, len(reqs))
	}
}

func TestBadReference(t *testing.T) {
	e := newEnv(t)
	for _, s := range []string{"", "UPPER/case:tag", "repo@sha256:short", "a:b:c:d", "repo:tag with space"} {
		if _, err := e.resolver(t).Resolve(context.Background(), s); !errors.Is(err, resolver.ErrBadReference) {
			t.Errorf("%q: got %v, want ErrBadReference", s, err)
		}
	}
}
