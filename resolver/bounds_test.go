package resolver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/resolver"
)

// faultEnv is an in-process registry behind a fault-injecting proxy, with a
// pushed supervisor index, and a cache.
type faultEnv struct {
	*env
	fault *registrytest.Fault
	b     *fixture.Built
	ref   string // proxy/sup:dev
	blob  string // the amd64 binary layer's path on the proxy
	size  int64  // its size

	mu     sync.Mutex
	sleeps []time.Duration
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	e := newEnv(t)
	fe := &faultEnv{env: e, fault: registrytest.NewFault(t, e.reg.URL(), e.reg.Transport())}
	var err error
	if fe.b, err = fixture.Build(context.Background(), fixture.Options{BuildDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	fe.ref = fe.fault.Host() + "/sup:dev"
	if err := fixture.Push(context.Background(), fe.ref, fe.b.Index); err != nil {
		t.Fatal(err)
	}
	img := fe.b.Images["linux/amd64"]
	d := img.Layers[img.BinaryLayer]
	fe.blob = "/v2/sup/blobs/" + d.String()
	l, err := img.Image.LayerByDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	if fe.size, err = l.Size(); err != nil {
		t.Fatal(err)
	}
	fe.fault.Reset()
	return fe
}

// short are bounds that make every fault test end quickly.
var short = resolver.Timeouts{Dial: 300 * time.Millisecond, TLSHandshake: 300 * time.Millisecond, ResponseHeader: 500 * time.Millisecond, Stall: 300 * time.Millisecond}

func (fe *faultEnv) resolver(t *testing.T, opts ...resolver.Option) *resolver.Resolver {
	t.Helper()
	base := []resolver.Option{
		resolver.WithTransport(fe.fault.Transport()),
		resolver.WithPlatform("linux/amd64"),
		resolver.WithTimeouts(short),
		resolver.WithTimeout(20 * time.Second),
		resolver.WithRetry(remote.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 3}),
		resolver.WithSleep(func(ctx context.Context, d time.Duration) error {
			fe.mu.Lock()
			fe.sleeps = append(fe.sleeps, d)
			fe.mu.Unlock()
			return ctx.Err()
		}),
	}
	return fe.env.resolver(t, append(base, opts...)...)
}

func (fe *faultEnv) waits() []time.Duration {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return append([]time.Duration(nil), fe.sleeps...)
}

// bearer makes the proxy ask for bearer tokens from its /token path, as a
// registry does: every API request without the token gets the challenge.
func (fe *faultEnv) bearer(token registrytest.Action) {
	challenge := fmt.Sprintf(`Bearer realm="%s/token",service="test"`, fe.fault.URL())
	fe.fault.On(func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/v2/") && r.Header.Get("Authorization") != "Bearer abc"
	}, 0, registrytest.Status(http.StatusUnauthorized, "WWW-Authenticate", challenge))
	fe.fault.On(registrytest.Path("/token"), 0, token)
}

// TestEveryRequestIsBounded: a registry (or token service) that stalls
// before or after its headers, or trickles, fails the pull as unreachable
// within the bounds, and commits nothing.
func TestEveryRequestIsBounded(t *testing.T) {
	tests := []struct {
		name  string
		setup func(fe *faultEnv)
		opts  []resolver.Option
		ok    bool // the pull succeeds: the stalled body is not needed
	}{
		// No /v2/ ping is sent: a registry that would stall it does not
		// hold the pull.
		{"ping would stall", func(fe *faultEnv) { fe.fault.On(registrytest.Ping(), 0, registrytest.StallBeforeHeaders()) }, nil, true},
		{"manifest stalls after headers", func(fe *faultEnv) { fe.fault.On(registrytest.Manifests("GET"), 0, registrytest.StallAfterHeaders()) }, nil, false},
		{"manifest never answers", func(fe *faultEnv) { fe.fault.On(registrytest.Manifests("GET"), 0, registrytest.StallBeforeHeaders()) }, nil, false},
		{"blob stalls after headers", func(fe *faultEnv) { fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.StallAfterHeaders()) }, nil, false},
		{"token realm stalls after headers", func(fe *faultEnv) { fe.bearer(registrytest.StallAfterHeaders()) }, nil, false},
		{"token realm never answers", func(fe *faultEnv) { fe.bearer(registrytest.StallBeforeHeaders()) }, nil, false},
		{"blob trickles", func(fe *faultEnv) {
			fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.Trickle(20*time.Millisecond))
		},
			[]resolver.Option{resolver.WithTimeout(time.Second)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fe := newFaultEnv(t)
			tc.setup(fe)
			_, err := fe.resolver(t, tc.opts...).Resolve(context.Background(), fe.ref)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, resolver.ErrUnreachable) {
				t.Fatalf("got %v, want %v", err, resolver.ErrUnreachable)
			}
			if n := len(entries(t, fe.cache)); n != 0 {
				t.Errorf("%d entries committed", n)
			}
		})
	}
}

// TestTokenServiceAnsweringGarbage: a token realm that answers a web page
// is named as such.
func TestTokenServiceAnsweringGarbage(t *testing.T) {
	fe := newFaultEnv(t)
	fe.bearer(registrytest.Body(http.StatusOK, "text/html", "<html><body>Sign in</body></html>"))
	_, err := fe.resolver(t).Resolve(context.Background(), fe.ref)
	var nr *registry.NotRegistryError
	if !errors.As(err, &nr) || !errors.Is(err, resolver.ErrUnreachable) {
		t.Fatalf("got %v, want a NotRegistryError", err)
	}
}

// TestTokenAuth: a bearer challenge and a working token service: one
// token exchange for the whole resolve, reused by every request after the
// first challenge, and no /v2/ ping.
func TestTokenAuth(t *testing.T) {
	fe := newFaultEnv(t)
	fe.bearer(registrytest.Body(http.StatusOK, "application/json", `{"token":"abc","expires_in":300}`))
	r := fe.resolver(t, resolver.WithMaxAge(0))
	if _, err := r.Resolve(context.Background(), fe.ref); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(context.Background(), fe.ref); err != nil { // a check (HEAD) with the same token
		t.Fatal(err)
	}
	if n := fe.fault.Hits("GET", "/token"); n != 1 {
		t.Errorf("token requests: %d, want 1", n)
	}
	if n := fe.fault.Hits("GET", "/v2/"); n != 0 {
		t.Errorf("/v2/ pings: %d, want 0", n)
	}
}

// TestWebPageWhereARegistryShouldBe: HTML instead of the registry API, at
// /v2/ (a 404 page or a 200 one) or for the manifest.
func TestWebPageWhereARegistryShouldBe(t *testing.T) {
	page := "<!doctype html><html></html>"
	for _, tc := range []struct {
		name  string
		match registrytest.Match
		code  int
	}{
		{"manifest 200", registrytest.Manifests(""), http.StatusOK},
		{"manifest 404", registrytest.Manifests(""), http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newFaultEnv(t)
			fe.fault.On(tc.match, 0, registrytest.Body(tc.code, "text/html; charset=utf-8", page))
			_, err := fe.resolver(t).Resolve(context.Background(), fe.ref)
			var nr *registry.NotRegistryError
			if !errors.As(err, &nr) || !errors.Is(err, resolver.ErrUnreachable) || !strings.Contains(err.Error(), "web page") {
				t.Fatalf("got %v, want a NotRegistryError naming a web page", err)
			}
		})
	}
}

// TestDroppedPackets: a registry whose SYNs are dropped is unreachable once
// the dial timeout passes, and a recorded tag is then served stale.
func TestDroppedPackets(t *testing.T) {
	ctx := context.Background()
	addr := registrytest.Unanswered(t)
	e := newEnv(t)
	r, err := resolver.New(e.cache, resolver.WithTimeouts(short), resolver.WithRetry(remote.Backoff{Duration: time.Millisecond, Steps: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, addr+"/sup:dev"); !errors.Is(err, resolver.ErrUnreachable) {
		t.Fatalf("got %v, want %v", err, resolver.ErrUnreachable)
	}

	// The same through a proxy: pull, then drop everything.
	fe := newFaultEnv(t)
	if _, err := fe.resolver(t).Resolve(ctx, fe.ref); err != nil {
		t.Fatal(err)
	}
	fe.clock.Add(time.Hour)
	dropping := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (netConn, error) {
		return dialer.DialContext(ctx, network, addr)
	}}
	res, err := fe.resolver(t, resolver.WithTransport(dropping)).Resolve(ctx, fe.ref)
	if err != nil || res.ResolvedFrom != resolver.FromStaleCache {
		t.Fatalf("got %+v, %v; want the recorded binary, stale", res, err)
	}
}

// TestRetryAfter: a wait the registry asks for is honoured up to the cap;
// beyond it the pull fails at once, saying what was asked.
func TestRetryAfter(t *testing.T) {
	ctx := context.Background()
	t.Run("honoured", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Manifests("GET"), 1, registrytest.Status(http.StatusTooManyRequests, "Retry-After", "2"))
		if _, err := fe.resolver(t).Resolve(ctx, fe.ref); err != nil {
			t.Fatal(err)
		}
		if w := fe.waits(); len(w) != 1 || w[0] < 2*time.Second {
			t.Fatalf("waits %v, want one of at least the 2s asked for", w)
		}
	})
	t.Run("over the cap", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Manifests("GET"), 0, registrytest.Status(http.StatusTooManyRequests, "Retry-After", "120"))
		_, err := fe.resolver(t, resolver.WithRetryAfterCap(10*time.Second)).Resolve(ctx, fe.ref)
		var ra *registry.RetryAfterError
		if !errors.As(err, &ra) || ra.Wait != 120*time.Second || !errors.Is(err, resolver.ErrUnreachable) {
			t.Fatalf("got %v, want a RetryAfterError of 2m0s", err)
		}
		if n := fe.fault.Hits("GET", "/v2/sup/manifests/dev"); n != 1 {
			t.Errorf("%d manifest GETs, want 1", n)
		}
	})
	t.Run("5xx with backoff, bounded", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Manifests("GET"), 0, registrytest.Status(http.StatusServiceUnavailable))
		_, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if !errors.Is(err, resolver.ErrUnreachable) {
			t.Fatalf("got %v", err)
		}
		w := fe.waits()
		if n := fe.fault.Hits("GET", "/v2/sup/manifests/dev"); n != 3 || len(w) != 2 || w[1] < 2*time.Millisecond {
			t.Errorf("%d GETs, waits %v; want 3 attempts with growing waits", n, w)
		}
	})
}

// TestResumeMidBlob: a blob cut mid-stream resumes from the bytes already
// hashed; the origin serves each byte once. A server that ignores Range
// sends it all again, and the result is still right.
func TestResumeMidBlob(t *testing.T) {
	ctx := context.Background()
	const cut = 100 << 10
	t.Run("range", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Path(fe.blob), 1, registrytest.ResetAfter(cut))
		res, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, res.Path, fe.b.Binary("linux/amd64"))
		if got := fe.fault.Served(fe.blob); got != fe.size {
			t.Errorf("the origin served %d bytes of a %d-byte blob, want each byte once", got, fe.size)
		}
		if n := fe.fault.Hits("GET", fe.blob); n != 2 {
			t.Errorf("%d blob GETs, want 2", n)
		}
	})
	t.Run("range ignored", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Path(fe.blob), 1, registrytest.ResetAfter(cut))
		fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.IgnoreRange())
		res, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, res.Path, fe.b.Binary("linux/amd64"))
		if got := fe.fault.Served(fe.blob); got != fe.size+cut {
			t.Errorf("the origin served %d bytes, want %d (the cut part, then all)", got, fe.size+cut)
		}
	})
	t.Run("always cut", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.ResetAfter(cut))
		_, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if !errors.Is(err, resolver.ErrUnreachable) {
			t.Fatalf("got %v", err)
		}
		if n := fe.fault.Hits("GET", fe.blob); n != 4 {
			t.Errorf("%d blob GETs, want 4 (one and three resumes)", n)
		}
	})
	t.Run("resumed with wrong bytes", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Path(fe.blob), 1, registrytest.ResetAfter(cut))
		fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.Rewrite(func(b []byte) []byte {
			b = bytes.Clone(b)
			b[len(b)/2] ^= 0xff
			return b
		}))
		_, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if !errors.Is(err, resolver.ErrRefused) || len(entries(t, fe.cache)) != 0 {
			t.Fatalf("got %v, want a refusal and nothing committed", err)
		}
	})
}

// TestHeadFallback: a stale check is one HEAD when HEAD works, and falls
// back to one GET when HEAD is refused or has no digest.
func TestHeadFallback(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		fault       registrytest.Action
		heads, gets int
	}{
		{"head works", nil, 1, 0},
		{"head refused", registrytest.Status(http.StatusMethodNotAllowed), 1, 1},
		{"no digest header", registrytest.DropHeader("Docker-Content-Digest"), 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newFaultEnv(t)
			r := fe.resolver(t)
			if _, err := r.Resolve(ctx, fe.ref); err != nil {
				t.Fatal(err)
			}
			fe.fault.Reset()
			if tc.fault != nil {
				fe.fault.On(registrytest.Manifests("HEAD"), 0, tc.fault)
			}
			fe.clock.Add(time.Hour)
			res, err := r.Resolve(ctx, fe.ref)
			if err != nil || res.ResolvedFrom != resolver.FromRegistry {
				t.Fatalf("got %+v, %v", res, err)
			}
			h, g := fe.fault.Hits("HEAD", "/v2/sup/manifests/dev"), fe.fault.Hits("GET", "/v2/sup/manifests/dev")
			if h != tc.heads || g != tc.gets {
				t.Errorf("HEAD %d, GET %d; want %d, %d", h, g, tc.heads, tc.gets)
			}
		})
	}
}

// TestRedirectToWrongBytes: a CDN that serves wrong bytes is refused, and
// the signed URL's token never reaches the debug log.
func TestRedirectToWrongBytes(t *testing.T) {
	fe := newFaultEnv(t)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{'x'}, int(fe.size)))
	}))
	defer cdn.Close()
	fe.fault.On(registrytest.Path(fe.blob), 0, registrytest.Redirect(cdn.URL))
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := fe.resolver(t, resolver.WithLogger(log)).Resolve(context.Background(), fe.ref)
	if !errors.Is(err, resolver.ErrRefused) || len(entries(t, fe.cache)) != 0 {
		t.Fatalf("got %v, want a refusal and nothing committed", err)
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Errorf("the debug log holds the signed URL's token:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "msg=registry-request method=GET url="+cdn.URL+fe.blob+" status=200") {
		t.Errorf("the debug log does not show the CDN request:\n%s", logs.String())
	}
}

// TestMirrorFailuresFallBack: a mirror serving a wrong manifest or wrong
// blob bytes, or down, is skipped for the origin.
func TestMirrorFailuresFallBack(t *testing.T) {
	ctx := context.Background()
	flip := registrytest.Rewrite(func(b []byte) []byte {
		b = bytes.Clone(b)
		b[len(b)-2] ^= 0x01
		return b
	})
	for _, tc := range []struct {
		name  string
		match func(fe *faultEnv) registrytest.Match
		fault registrytest.Action
	}{
		{"wrong manifest", func(*faultEnv) registrytest.Match { return registrytest.Manifests("GET") }, flip},
		{"wrong blob", func(fe *faultEnv) registrytest.Match { return registrytest.Path(fe.blob) }, flip},
		{"down", func(*faultEnv) registrytest.Match { return func(*http.Request) bool { return true } }, registrytest.Status(http.StatusBadGateway)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin := newFaultEnv(t)
			mirror := newFaultEnv(t) // the same image under the same name
			mirror.fault.On(tc.match(mirror), 0, tc.fault)
			res, err := origin.resolver(t, resolver.WithTransport(http.DefaultTransport),
				resolver.WithMirror(origin.fault.Host(), mirror.fault.Host())).Resolve(ctx, origin.ref)
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, res.Path, origin.b.Binary("linux/amd64"))
			if mirror.fault.TotalHits() == 0 || origin.fault.Hits("GET", origin.blob) != 1 {
				t.Errorf("mirror hits %d, origin blob GETs %d; want the mirror tried, then the origin", mirror.fault.TotalHits(), origin.fault.Hits("GET", origin.blob))
			}
		})
	}
}

// TestMirrorSpecs: mirror names are normalized and checked when the
// resolver is built.
func TestMirrorSpecs(t *testing.T) {
	e := newEnv(t)
	for _, bad := range [][2]string{{"docker.io", "http://mirror:5000"}, {"", "m:5000"}, {"docker.io", "m:5000/path"}, {"docker.io", "bad host"}} {
		if _, err := resolver.New(e.cache, resolver.WithMirror(bad[0], bad[1])); err == nil {
			t.Errorf("mirror %q=%q accepted", bad[0], bad[1])
		}
	}
	for _, reg := range []string{"docker.io", "index.docker.io", "registry-1.docker.io"} {
		r, err := resolver.New(e.cache, resolver.WithMirror(reg, "mirror.internal:5000"))
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"busybox:latest", "docker.io/library/busybox:latest", "index.docker.io/library/busybox:latest"} {
			got, err := r.Sources(ref)
			if err != nil || len(got) != 2 || got[0] != "mirror.internal:5000" {
				t.Errorf("--mirror %s=...: %s is looked up in %v (%v), want the mirror first", reg, ref, got, err)
			}
		}
	}
}

// TestManifestCap: a manifest over MaxManifestSize is refused while it
// streams.
func TestManifestCap(t *testing.T) {
	fe := newFaultEnv(t)
	fe.fault.On(registrytest.Manifests("GET"), 0, registrytest.Rewrite(func(b []byte) []byte {
		return append(bytes.Clone(b), bytes.Repeat([]byte{' '}, registry.MaxManifestSize)...)
	}))
	_, err := fe.resolver(t).Resolve(context.Background(), fe.ref)
	if !errors.Is(err, resolver.ErrRefused) {
		t.Fatalf("got %v, want a refusal", err)
	}
}

// TestTotalInflatedCap: the bytes inflated across layers are capped.
func TestTotalInflatedCap(t *testing.T) {
	fe := newFaultEnv(t)
	_, err := fe.resolver(t, resolver.WithLimits(resolver.Limits{Inflated: 64 << 10})).Resolve(context.Background(), fe.ref)
	if !errors.Is(err, resolver.ErrRefused) || len(entries(t, fe.cache)) != 0 {
		t.Fatalf("got %v, want a refusal", err)
	}
}

type netConn = net.Conn

var dialer = &net.Dialer{Timeout: 300 * time.Millisecond}

// TestPlainHTTPUnderAHostName: a registry that speaks plain HTTP under a
// normal host name gets a hint about --insecure, not "EOF".
func TestPlainHTTPUnderAHostName(t *testing.T) {
	fe := newFaultEnv(t)
	toProxy := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, fe.fault.Host())
	}}
	_, port, _ := net.SplitHostPort(fe.fault.Host())
	_, err := fe.resolver(t, resolver.WithTransport(toProxy)).Resolve(context.Background(), "registry.example:"+port+"/sup:dev")
	if !errors.Is(err, resolver.ErrUnreachable) || !strings.Contains(err.Error(), "serves plain HTTP, allow insecure registries") {
		t.Fatalf("got %v, want unreachable with a hint about --insecure", err)
	}
	res, err := fe.resolver(t, resolver.WithTransport(toProxy), resolver.WithInsecure(true)).Resolve(context.Background(), "registry.example:"+port+"/sup:dev")
	if err != nil {
		t.Fatalf("with --insecure: %v", err)
	}
	sameBytes(t, res.Path, fe.b.Binary("linux/amd64"))
}

// TestEndlessPing: a /v2/ answer whose body never ends (but never stalls)
// does not hold the resolve.
func TestEndlessPing(t *testing.T) {
	fe := newFaultEnv(t)
	fe.fault.On(registrytest.Ping(), 0, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte(" "), 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	if _, err := fe.resolver(t, resolver.WithTimeout(5*time.Second)).Resolve(context.Background(), fe.ref); err != nil {
		t.Fatal(err)
	}
}

// TestNegativeLayerSize: a manifest that gives a layer a negative size is
// refused, not a crash.
func TestNegativeLayerSize(t *testing.T) {
	fe := newFaultEnv(t)
	img := fe.b.Images["linux/amd64"]
	raw, err := img.Image.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	size := fmt.Sprintf(`"size":%d`, fe.size)
	if !bytes.Contains(raw, []byte(size)) {
		t.Fatalf("the manifest has no %s", size)
	}
	bad := bytes.Replace(raw, []byte(size), []byte(`"size":-5`), 1)
	badDigest := fmt.Sprintf("sha256:%x", sha256.Sum256(bad))
	fe.fault.On(registrytest.Path("/v2/sup/manifests/"+badDigest), 0, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Write(bad)
	})
	_, err = fe.resolver(t).Resolve(context.Background(), fe.fault.Host()+"/sup@"+badDigest)
	if !errors.Is(err, resolver.ErrRefused) {
		t.Fatalf("got %v, want a refusal", err)
	}
}

// TestGenericContentType: a registry that sends manifests as
// application/json, without a mediaType field, is understood.
func TestGenericContentType(t *testing.T) {
	fe := newFaultEnv(t)
	strip := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Error(err)
			return
		}
		delete(doc, "mediaType")
		body, _ := json.Marshal(doc)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body) // no digest header: by tag, nothing to compare with
	}
	fe.fault.On(registrytest.Path("/v2/sup/manifests/dev"), 0, strip)
	res, err := fe.resolver(t).Resolve(context.Background(), fe.ref)
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, res.Path, fe.b.Binary("linux/amd64"))
}

// TestStallsFailFast: a registry that stalls every blob body after its
// headers fails the operation after at most two stalled attempts in all
// (one resume), cold or while checking a moved tag (then the recorded
// binary is served stale), whatever the number of blobs and resumes a cut
// connection would get.
func TestStallsFailFast(t *testing.T) {
	ctx := context.Background()
	t.Run("cold", func(t *testing.T) {
		fe := newFaultEnv(t)
		fe.fault.On(registrytest.Blob(""), 0, registrytest.StallAfterHeaders())
		_, err := fe.resolver(t).Resolve(ctx, fe.ref)
		if !errors.Is(err, resolver.ErrUnreachable) {
			t.Fatalf("got %v, want %v", err, resolver.ErrUnreachable)
		}
		if n := fe.fault.Faulted(); n > 2 {
			t.Errorf("%d stalled body attempts, want at most 2", n)
		}
	})
	t.Run("moved tag served stale", func(t *testing.T) {
		fe := newFaultEnv(t)
		r := fe.resolver(t, resolver.WithMaxAge(time.Minute))
		if _, err := r.Resolve(ctx, fe.ref); err != nil {
			t.Fatal(err)
		}
		next, err := fixture.Build(ctx, fixture.Options{Version: "0.0.48", BuildDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if err := fixture.Push(ctx, fe.ref, next.Index); err != nil {
			t.Fatal(err)
		}
		fe.fault.Reset()
		fe.fault.On(registrytest.Blob(""), 0, registrytest.StallAfterHeaders())
		fe.clock.Add(time.Hour)
		res, err := r.Resolve(ctx, fe.ref)
		if err != nil || res.ResolvedFrom != resolver.FromStaleCache {
			t.Fatalf("got %+v, %v; want the recorded binary, served stale", res, err)
		}
		if n := fe.fault.Faulted(); n > 2 {
			t.Errorf("%d stalled body attempts, want at most 2", n)
		}
	})
}
