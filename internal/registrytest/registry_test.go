package registrytest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestServerPlain(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	if !strings.HasPrefix(s.Host(), "127.0.0.1:") || s.URL() != "http://"+s.Host() {
		t.Errorf("Host %q, URL %q", s.Host(), s.URL())
	}
	if s.CertPool() != nil || s.CertPEM() != nil {
		t.Error("CertPool/CertPEM set without TLS")
	}
	if len(s.Requests()) != 0 {
		t.Errorf("fresh server has requests recorded:\n%s", FormatRequests(s.Requests()))
	}
	pushPull(t, s, authn.Anonymous)

	// The blobs are in the registry's own storage.
	if _, err := os.Stat(filepath.Join(s.DataDir(), "docker", "registry", "v2", "repositories", "test", "app")); err != nil {
		t.Errorf("repository not in DataDir: %v", err)
	}
	if !strings.Contains(s.Stderr(), "listening on "+s.Host()) {
		t.Errorf("Stderr does not show the registry listening on %s:\n%s", s.Host(), s.Stderr())
	}
}

func TestServerTLS(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{TLS: true})
	if s.URL() != "https://"+s.Host() || s.CertPool() == nil || !strings.Contains(string(s.CertPEM()), "BEGIN CERTIFICATE") {
		t.Fatalf("URL %q, CertPool %v, CertPEM %q", s.URL(), s.CertPool(), s.CertPEM())
	}
	pushPull(t, s, authn.Anonymous)

	// A client that does not trust the certificate is refused.
	mark := s.Mark()
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get(s.URL() + "/v2/")
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("GET over TLS without trusting the certificate succeeded")
	}
	if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted GET: %v, want a certificate error", err)
	}
	// Plain HTTP to the TLS port gets no answer from the registry's handler.
	plainURL := "http://" + s.Host() + "/v2/"
	if resp, err := http.Get(plainURL); err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to TLS port: status %d, want 400", resp.StatusCode)
		}
	}
	s.Sync()
	if got := s.Since(mark); len(got) != 0 {
		t.Errorf("failed TLS handshakes were recorded:\n%s", FormatRequests(got))
	}
}

func TestServerHtpasswd(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Htpasswd: map[string]string{"alice": "s3cret pass", "bob": "other"}})
	pushPull(t, s, &authn.Basic{Username: "alice", Password: "s3cret pass"})

	ref, err := name.ParseReference(s.Host() + "/test/denied:v1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		auth authn.Authenticator
	}{
		{"wrong password", &authn.Basic{Username: "alice", Password: "wrong"}},
		{"unknown user", &authn.Basic{Username: "mallory", Password: "s3cret pass"}},
		{"anonymous", authn.Anonymous},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mark := s.Mark()
			err := remote.Write(ref, img, remote.WithTransport(s.Transport()), remote.WithAuth(tc.auth))
			var terr *transport.Error
			if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
				t.Fatalf("push: %v, want a 401 error", err)
			}
			s.Sync()
			reqs := s.Since(mark)
			if len(reqs) == 0 {
				t.Fatal("no requests recorded")
			}
			for _, r := range reqs {
				if r.Status != http.StatusUnauthorized {
					t.Errorf("%v: want status 401\n%s", r, FormatRequests(reqs))
				}
			}
			if n := CountRoute(reqs, http.MethodPut, KindManifest, ""); n != 0 {
				t.Errorf("%d manifest PUTs", n)
			}
		})
	}

	// Raw requests: the challenge, and right and wrong credentials.
	mark := s.Mark()
	client := &http.Client{Transport: s.Transport()}
	for _, tc := range []struct {
		user, pass string
		want       int
	}{
		{"", "", http.StatusUnauthorized},
		{"bob", "other", http.StatusOK},
		{"bob", "s3cret pass", http.StatusUnauthorized},
	} {
		req, err := http.NewRequest(http.MethodGet, s.URL()+"/v2/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.user != "" {
			req.SetBasicAuth(tc.user, tc.pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /v2/ as %q: status %d, want %d", tc.user, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("GET /v2/ as %q: WWW-Authenticate %q, want a Basic challenge", tc.user, resp.Header.Get("WWW-Authenticate"))
		}
	}
	s.Sync()
	reqs := s.Since(mark)
	var statuses []int
	for _, r := range reqs {
		if r.Route().Kind != KindBase || r.Method != http.MethodGet {
			t.Errorf("unexpected %v", r)
		}
		statuses = append(statuses, r.Status)
	}
	if fmt.Sprint(statuses) != "[401 200 401]" {
		t.Errorf("statuses %v, want [401 200 401]", statuses)
	}
}

func TestServerResetAndMarks(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	client := &http.Client{Transport: s.Transport()}
	get := func(path string) {
		t.Helper()
		resp, err := client.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	get("/v2/")
	get("/v2/a/tags/list")
	s.Sync()
	m := s.Mark()
	if m != 2 || len(s.Requests()) != 2 {
		t.Fatalf("mark %d, requests:\n%s", m, FormatRequests(s.Requests()))
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || len(s.Since(0)) != 0 || s.Mark() != m {
		t.Fatalf("after reset: mark %d, requests:\n%s", s.Mark(), FormatRequests(s.Requests()))
	}
	get("/v2/b/manifests/latest?x=1")
	s.Sync()
	got := s.Since(m)
	want := Request{Method: "GET", Path: "/v2/b/manifests/latest", RawQuery: "x=1", Status: 404}
	if len(got) != 1 || got[0].Method != want.Method || got[0].Path != want.Path || got[0].RawQuery != want.RawQuery || got[0].Status != want.Status {
		t.Fatalf("since mark: %+v, want one %v", got, want)
	}
	if got[0].UserAgent != "Go-http-client/1.1" || got[0].Bytes <= 0 {
		t.Errorf("user agent %q, bytes %d", got[0].UserAgent, got[0].Bytes)
	}
}

func TestInProcess(t *testing.T) {
	t.Parallel()
	ip := NewInProcess(t)
	if !strings.HasPrefix(ip.Host(), "127.0.0.1:") || ip.URL() != "http://"+ip.Host() {
		t.Errorf("Host %q, URL %q", ip.Host(), ip.URL())
	}
	pushPull(t, ip, authn.Anonymous)
}

// fakeTB records Skipf and Fatalf, which end the goroutine as the real ones do.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStartWithoutBinary(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	old := registryBinaryFallback
	registryBinaryFallback = filepath.Join(empty, "docker-registry")
	t.Cleanup(func() { registryBinaryFallback = old })

	run := func() *fakeTB {
		f := &fakeTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Start(f, Options{})
			t.Error("Start returned without a binary")
		}()
		<-done
		return f
	}

	t.Setenv(RequireEnv, "")
	if f := run(); !strings.Contains(f.skipped, "docker-registry") || f.failed != "" {
		t.Errorf("without %s: skipped %q, failed %q; want a skip", RequireEnv, f.skipped, f.failed)
	}
	t.Setenv(RequireEnv, "1")
	if f := run(); !strings.Contains(f.failed, RequireEnv) || f.skipped != "" {
		t.Errorf("with %s=1: skipped %q, failed %q; want a failure", RequireEnv, f.skipped, f.failed)
	}
}

// TestStartRetriesTakenPort hands Start a port that another HTTP server
// holds (and answers GET /v2/ on): Start must notice that its registry did
// not bind it, and retry on another port.
func TestStartRetriesTakenPort(t *testing.T) {
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(impostor.Close)
	taken := impostor.Listener.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return taken, nil
		}
		return freePort()
	}
	t.Cleanup(func() { pickPort = freePort })

	s := Start(t, Options{})
	if calls < 2 || s.Host() == impostor.Listener.Addr().String() {
		t.Fatalf("Start used %s after %d port choices; the taken port was %d", s.Host(), calls, taken)
	}
	if !strings.Contains(s.Stderr(), "address already in use") {
		t.Errorf("stderr does not show the failed first attempt:\n%s", s.Stderr())
	}
	s.Sync()
	if len(s.Requests()) != 0 {
		t.Errorf("requests recorded:\n%s", FormatRequests(s.Requests()))
	}
}

// TestServerTokenRealm checks that Options.TokenRealm, set, is the realm
// the registry's challenges name, and that without it they name the token
// service's own.
func TestServerTokenRealm(t *testing.T) {
	t.Parallel()
	ts := NewTokenServer(t)
	for _, tc := range []struct{ set, want string }{
		{"", ts.Realm()},
		{"http://localhost:1/token", "http://localhost:1/token"},
	} {
		s := Start(t, Options{Token: ts, TokenRealm: tc.set})
		resp, err := s.Transport().RoundTrip(mustRequest(t, s.URL()+"/v2/"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(ch, `realm="`+tc.want+`"`) {
			t.Errorf("TokenRealm %q: %d with challenge %q; want 401 naming realm %q", tc.set, resp.StatusCode, ch, tc.want)
		}
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
