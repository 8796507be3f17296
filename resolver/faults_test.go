package resolver_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// faulty serves a real registry, but the first `times` GETs of the blob
// `target` (every one if times < 0) get fault instead.
type faulty struct {
	next   http.Handler
	target string
	times  int64
	fault  func(w http.ResponseWriter, r *http.Request, next http.Handler)
	hits   atomic.Int64
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+f.target) {
		if n := f.hits.Add(1); f.times < 0 || n <= f.times {
			f.fault(w, r, f.next)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

func status(code int) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) { w.WriteHeader(code) }
}

// cutAfter sends the headers and n bytes of the blob, then resets the
// connection.
func cutAfter(n int) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()[:n])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
	}
}

// truncated serves the first n bytes of the blob as if they were all.
func truncated(n int) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(rec.Body.Bytes()[:n])
	}
}

func TestRegistryFaults(t *testing.T) {
	ctx := context.Background()
	b, err := fixture.Build(ctx, fixture.Options{Size: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	img := b.Images["linux/amd64"]
	top := img.Layers[img.BinaryLayer].String()
	tests := []struct {
		name     string
		times    int64
		fault    func(http.ResponseWriter, *http.Request, http.Handler)
		want     error // nil: the pull succeeds
		maxTries int64 // at most this many GETs of the blob
	}{
		{"503 then ok", 1, status(http.StatusServiceUnavailable), nil, 2},
		{"429 then ok", 1, status(http.StatusTooManyRequests), nil, 2},
		{"always 500", -1, status(http.StatusInternalServerError), resolver.ErrUnreachable, 3 * 3},
		{"reset mid-blob then ok", 1, cutAfter(64 << 10), nil, 2},
		{"always reset mid-blob", -1, cutAfter(64 << 10), resolver.ErrUnreachable, 3 * 3},
		{"truncated blob", -1, truncated(100 << 10), resolver.ErrRefused, 3 * 3},
		{"404 blob", -1, status(http.StatusNotFound), resolver.ErrNotFound, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &faulty{next: registry.New(registry.Logger(discard())), target: top, times: tc.times, fault: tc.fault}
			srv := httptest.NewServer(f)
			defer srv.Close()
			ref := strings.TrimPrefix(srv.URL, "http://") + "/sup:dev"
			if err := fixture.Push(ctx, ref, b.Index); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			res, err := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithTransport(srv.Client().Transport)).Resolve(ctx, ref)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				sameBytes(t, res.Path, img.Binary)
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != nil && len(entries(t, e.cache)) != 0 {
				t.Fatal("a failed pull committed an entry")
			}
			if n := f.hits.Load(); n > tc.maxTries {
				t.Errorf("the blob was requested %d times, want at most %d", n, tc.maxTries)
			}
		})
	}
}

func TestSlowRegistryHonoursContext(t *testing.T) {
	ctx := context.Background()
	b, err := fixture.Build(ctx, fixture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := b.Images["linux/amd64"]
	release := make(chan struct{})
	f := &faulty{next: registry.New(registry.Logger(discard())), target: img.Layers[img.BinaryLayer].String(), times: -1,
		fault: func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	defer close(release)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/sup:dev"
	if err := fixture.Push(ctx, ref, b.Index); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithTransport(srv.Client().Transport)).Resolve(tctx, ref)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
}

// TestStaleIfErrorWhenTheNewImageFails: the tag moved, but the new image's
// layer cannot be fetched: the recorded binary is served, marked stale.
func TestStaleIfErrorWhenTheNewImageFails(t *testing.T) {
	ctx := context.Background()
	old, err := fixture.Build(ctx, fixture.Options{Version: "0.0.47-dev.12"})
	if err != nil {
		t.Fatal(err)
	}
	next, err := fixture.Build(ctx, fixture.Options{Version: "0.0.47-dev.13"})
	if err != nil {
		t.Fatal(err)
	}
	img := next.Images["linux/amd64"]
	f := &faulty{next: registry.New(registry.Logger(discard())), target: img.Layers[img.BinaryLayer].String(), times: -1,
		fault: status(http.StatusBadGateway)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/sup:dev"
	if err := fixture.Push(ctx, ref, old.Index); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	r := e.resolver(t, resolver.WithPlatform("linux/amd64"), resolver.WithTransport(srv.Client().Transport), resolver.WithMaxAge(time.Minute))
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := fixture.Push(ctx, ref, next.Index); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	res, err := r.Resolve(ctx, ref)
	if err != nil || res.ResolvedFrom != resolver.FromStaleCache || res.Version != "0.0.47-dev.12" {
		t.Fatalf("got %+v, %v; want the old binary from the stale cache", res, err)
	}
}
