package resolver_test

import (
	"context"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/clocktest"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// env is a registry and a cache for one test.
type env struct {
	reg   registrytest.Registry
	cache *cache.Cache
	clock *clocktest.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &env{reg: registrytest.NewInProcess(t), cache: c, clock: clocktest.New(time.Now())}
}

// push builds the fixture o and pushes it to repo:tag; it returns what was
// built and the reference.
func (e *env) push(t *testing.T, repoTag string, o fixture.Options) (*fixture.Built, string) {
	t.Helper()
	ctx := context.Background()
	b, err := fixture.Build(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	ref := e.reg.Host() + "/" + repoTag
	if err := fixture.Push(ctx, ref, b.Index); err != nil {
		t.Fatal(err)
	}
	return b, ref
}

// pushUnprotected pushes the default fixture and returns it and its
// reference by index digest, which no ref record protects from gc.
func (e *env) pushUnprotected(t *testing.T) (*fixture.Built, string) {
	t.Helper()
	b, _ := e.push(t, "sup:dev", fixture.Options{})
	id, err := b.Index.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return b, e.reg.Host() + "/sup@" + id.String()
}

// resolver returns a resolver on e's cache and clock that reaches e's
// registry anonymously.
func (e *env) resolver(t *testing.T, opts ...resolver.Option) *resolver.Resolver {
	t.Helper()
	base := []resolver.Option{
		resolver.WithTransport(e.reg.Transport()),
		resolver.WithKeychain(authn.NewMultiKeychain()),
		resolver.WithClock(e.clock.Now),
		resolver.WithRetry(v1Backoff()),
	}
	r, err := resolver.New(e.cache, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// requests runs fn and returns the registry requests it caused.
func (e *env) requests(t *testing.T, fn func()) []registrytest.Request {
	t.Helper()
	m := e.reg.Mark()
	fn()
	e.reg.Sync()
	return e.reg.Since(m)
}

// blobGets counts GETs of blobs, by digest.
func blobGets(reqs []registrytest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if rt := r.Route(); rt.Kind == registrytest.KindBlob && r.Method == "GET" {
			out[rt.Ref]++
		}
	}
	return out
}

// manifestRequests counts manifest requests, as "METHOD" -> n.
func manifestRequests(reqs []registrytest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if r.Route().Kind == registrytest.KindManifest {
			out[r.Method]++
		}
	}
	return out
}

// sameBytes fails unless the files at got and want are byte for byte equal.
func sameBytes(t *testing.T, got, want string) {
	t.Helper()
	if err := fixture.SameFile(got, want); err != nil {
		t.Fatal(err)
	}
}

// entries lists the committed entry directories of a cache.
func entries(t *testing.T, c *cache.Cache) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(c.Dir(), "entries"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		if d.IsDir() && strings.HasPrefix(d.Name(), "sha256-") {
			out = append(out, d.Name())
		}
	}
	return out
}

func plat(s string) v1.Platform {
	p, err := resolver.ParsePlatform(s)
	if err != nil {
		panic(err)
	}
	return p
}

// v1Backoff keeps retries short in tests.
func v1Backoff() remote.Backoff {
	return remote.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Steps: 2}
}

func mustDigest(img *fixture.BuiltImage) v1.Hash {
	h, err := img.Image.Digest()
	if err != nil {
		panic(err)
	}
	return h
}

func discard() *log.Logger { return log.New(io.Discard, "", 0) }
