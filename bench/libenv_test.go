package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// libEnv is what the library benchmarks share: an in-process registry
// holding a small supervisor image and one with a 40 MiB binary. It is
// built on first use, once per test binary, and removed by TestMain.
type libEnv struct {
	reg   *fixture.Registry
	dir   string
	small image
	big   image
}

var (
	libEnvMu  sync.Mutex
	libEnvVal *libEnv
	libEnvErr error
)

// sharedLibEnv returns the shared environment, building it the first time.
func sharedLibEnv(tb testing.TB) *libEnv {
	tb.Helper()
	libEnvMu.Lock()
	defer libEnvMu.Unlock()
	if libEnvVal == nil && libEnvErr == nil {
		libEnvVal, libEnvErr = newLibEnv(context.Background())
	}
	if libEnvErr != nil {
		tb.Fatal(libEnvErr)
	}
	return libEnvVal
}

func newLibEnv(ctx context.Context) (*libEnv, error) {
	dir, err := os.MkdirTemp("", "supctl-bench-")
	if err != nil {
		return nil, err
	}
	e := &libEnv{reg: fixture.Serve(), dir: dir}
	push := func(ctx context.Context, ref string, idx v1.ImageIndex) error { return fixture.Push(ctx, ref, idx) }
	url := "http://" + e.reg.Host
	if e.small, err = buildAndPush(ctx, e.reg.Host, url, "openshell/supervisor", 0, dir, push); err == nil {
		e.big, err = buildAndPush(ctx, e.reg.Host, url, "openshell/supervisor40", 40<<20, dir, push)
	}
	if err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *libEnv) close() {
	e.reg.Close()
	removeAll(e.dir)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if libEnvVal != nil {
		libEnvVal.close()
	}
	os.Exit(code)
}

// newResolver returns a resolver for this machine's platform over a cache
// in dir, reaching registries anonymously.
func newResolver(dir string) (*resolver.Resolver, error) {
	c, err := cache.Open(dir)
	if err != nil {
		return nil, err
	}
	return resolver.New(c, resolver.WithPlatform(platformString()), resolver.WithKeychain(authn.NewMultiKeychain()))
}

// warmResolve benchmarks Resolve of ref on r, which must be served from the
// cache.
func warmResolve(b *testing.B, r *resolver.Resolver, ref string) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, ref)
		if err != nil {
			b.Fatal(err)
		}
		if res.ResolvedFrom != resolver.FromCache {
			b.Fatalf("resolve of %s: from %s, want the cache", ref, res.ResolvedFrom)
		}
	}
}

// warmResolver returns a resolver whose cache already holds ref.
func warmResolver(b *testing.B, ref string) *resolver.Resolver {
	b.Helper()
	r, err := newResolver(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Resolve(context.Background(), ref); err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkWarmResolveTag resolves a fresh floating tag from a warm cache:
// no registry request, records and a stat of the binary only.
func BenchmarkWarmResolveTag(b *testing.B) {
	e := sharedLibEnv(b)
	r := warmResolver(b, e.small.ref)
	before := e.reg.Requests()
	warmResolve(b, r, e.small.ref)
	if n := e.reg.Requests() - before; n != 0 {
		b.Fatalf("warm resolves of a fresh tag sent %d registry requests, want none", n)
	}
}

// BenchmarkWarmResolveDigest resolves a cached index digest.
func BenchmarkWarmResolveDigest(b *testing.B) {
	e := sharedLibEnv(b)
	r := warmResolver(b, e.small.ref)
	before := e.reg.Requests()
	warmResolve(b, r, e.small.digestRef)
	if n := e.reg.Requests() - before; n != 0 {
		b.Fatalf("warm resolves of a cached digest sent %d registry requests, want none", n)
	}
}

// coldRun is one cold pull into the empty directory dir.
type coldRun func(ctx context.Context, dir string) error

// coldLibrary is a cold Resolve of img with a new cache in dir.
func coldLibrary(img image) coldRun {
	return func(ctx context.Context, dir string) error {
		r, err := newResolver(dir)
		if err != nil {
			return err
		}
		res, err := r.Resolve(ctx, img.ref)
		if err != nil {
			return err
		}
		if !res.Extracted || res.Size != img.size {
			return fmt.Errorf("resolve of %s: extracted %v, %d bytes; want a new extraction of %d", img.ref, res.Extracted, res.Size, img.size)
		}
		return nil
	}
}

// coldLimit is the limit in-process: img's top layer to dir.
func coldLimit(img image, client *http.Client) coldRun {
	return func(ctx context.Context, dir string) error {
		n, err := Limit(ctx, client, img.blobURL, binaryName, filepath.Join(dir, "openshell-sandbox"))
		if err == nil && n != img.size {
			err = fmt.Errorf("limit wrote %d bytes of %s, want %d", n, img.layer, img.size)
		}
		return err
	}
}

// benchCold runs run b.N times, each into a new directory, and reports the
// binary's bytes per second.
func benchCold(b *testing.B, size int64, run coldRun) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dir, err := os.MkdirTemp(b.TempDir(), "run-")
		if err != nil {
			b.Fatal(err)
		}
		syncFS() // no dirty pages of an earlier run left to write back
		b.StartTimer()
		err = run(ctx, dir)
		b.StopTimer()
		err = errors.Join(err, removeAll(dir))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(size)*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}

// BenchmarkColdResolve40MiB resolves an uncached tag whose binary is
// 40 MiB, in-process: manifests, the top layer's blob (hashed, gunzipped,
// untarred), the binary written, synced, checked and probed for its
// version, the entry committed.
func BenchmarkColdResolve40MiB(b *testing.B) {
	e := sharedLibEnv(b)
	benchCold(b, e.big.size, coldLibrary(e.big))
}

// BenchmarkColdLimit40MiB is the limit for BenchmarkColdResolve40MiB: one
// GET of the blob, gunzip, untar, write, fsync.
func BenchmarkColdLimit40MiB(b *testing.B) {
	e := sharedLibEnv(b)
	benchCold(b, e.big.size, coldLimit(e.big, http.DefaultClient))
}
