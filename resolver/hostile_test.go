package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func TestHostileLayers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, k := range []fixture.HostileKind{
		fixture.HostileSymlink, fixture.HostileHardlink, fixture.HostileCharDevice,
		fixture.HostileDotDot, fixture.HostileRootDotDot, fixture.HostileScript, fixture.HostileWrongArch,
		fixture.HostileOversize, fixture.HostileBomb,
	} {
		t.Run(k.String(), func(t *testing.T) {
			_, ref := e.push(t, "hostile:"+strings.ToLower(k.String()), fixture.Options{Hostile: k, BombSize: 64 << 20})
			r := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithLimits(resolver.Limits{Binary: 32 << 20, Layer: 48 << 20}))
			res, err := r.Resolve(ctx, ref)
			if !errors.Is(err, resolver.ErrRefused) {
				t.Fatalf("got %+v, %v; want ErrRefused", res, err)
			}
			if got := entries(t, e.cache); len(got) != 0 {
				t.Fatalf("a refused binary was committed: %v", got)
			}
		})
	}
	t.Run("dot-slash is a legitimate name", func(t *testing.T) {
		b, ref := e.push(t, "hostile:dotslash", fixture.Options{Hostile: fixture.HostileDotSlash})
		res, err := e.resolver(t, resolver.WithPlatform("linux/amd64")).Resolve(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, res.Path, b.Images["linux/amd64"].HostilePayload)
	})
}

// corrupting serves a real registry but flips one byte of every blob
// response whose digest is in bad.
func corrupting(h http.Handler, bad map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := strings.LastIndex(r.URL.Path, "/blobs/")
		if r.Method != http.MethodGet || i < 0 || !bad[r.URL.Path[i+len("/blobs/"):]] {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if len(body) > 100 {
			body[len(body)/2] ^= 0xff
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func TestWrongBytesAreNeverCommitted(t *testing.T) {
	ctx := context.Background()
	b, err := fixture.Build(ctx, fixture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	top := b.Images["linux/amd64"].Layers[b.Images["linux/amd64"].BinaryLayer].String()
	srv := httptest.NewServer(corrupting(registry.New(), map[string]bool{top: true}))
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/sup:dev"
	if err := fixture.Push(ctx, ref, b.Index); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	_, err = e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithTransport(srv.Client().Transport)).Resolve(ctx, ref)
	if !errors.Is(err, resolver.ErrRefused) || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("got %v, want a digest mismatch refusal", err)
	}
	if got := entries(t, e.cache); len(got) != 0 {
		t.Fatalf("corrupt content was committed: %v", got)
	}
}

func TestConcurrentResolvesExtractOnce(t *testing.T) {
	e := newEnv(t)
	b, ref := e.push(t, "sup:dev", fixture.Options{Size: 4 << 20})
	img := b.Images["linux/amd64"]
	const n = 8
	paths := make([]string, n)
	errs := make([]error, n)
	reqs := e.requests(t, func() {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.resolver(t, resolver.WithPlatform("linux/amd64")).Resolve(context.Background(), ref)
				errs[i] = err
				if err == nil {
					paths[i] = res.Path
				}
			}()
		}
		wg.Wait()
	})
	for i := range n {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("resolver %d: %q, %v; want %q", i, paths[i], errs[i], paths[0])
		}
	}
	sameBytes(t, paths[0], img.Binary)
	if got := blobGets(reqs)[img.Layers[img.BinaryLayer].String()]; got != 1 {
		t.Errorf("the binary's layer was downloaded %d times by %d resolvers, want once", got, n)
	}
	if fmt.Sprint(entries(t, e.cache)) != "[sha256-"+mustDigest(img).Hex+"]" {
		t.Errorf("entries: %v", entries(t, e.cache))
	}
}
