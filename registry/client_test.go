package registry_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/registry"
)

// recorder is a base transport that records each request it sends:
// scheme, method and path.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.URL.Scheme+" "+req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// pull reads a reference's manifest, then its first layer's blob to the
// end, as a resolve does.
func pull(t *testing.T, c *registry.Client, ref name.Reference) {
	t.Helper()
	ctx := context.Background()
	err := c.Each(ctx, ref, "fetch", func(repo *registry.Repo, ref name.Reference) error {
		m, err := repo.Manifest(ctx, ref)
		if err != nil {
			return err
		}
		if !strings.Contains(string(m.Raw), "layers") {
			t.Fatalf("not an image manifest: %s", m.Raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFewestRoundTrips: a registry that asks for no credentials gets no
// /v2/ ping and no token request; a loopback registry that speaks TLS is
// found with one plain-HTTP attempt, and the client keeps HTTPS for it.
func TestFewestRoundTrips(t *testing.T) {
	img, err := random.Image(1024, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		tls   bool
		first []string // the requests of the first pull
	}{
		{"plain HTTP", false, []string{"http GET /v2/sup/manifests/dev"}},
		{"TLS", true, []string{"http GET /v2/sup/manifests/dev", "https GET /v2/sup/manifests/dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			var base http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
			if tc.tls {
				srv.StartTLS()
				base = srv.Client().Transport
			} else {
				srv.Start()
			}
			defer srv.Close()
			host := strings.TrimPrefix(strings.TrimPrefix(srv.URL, "https://"), "http://")
			ref, err := name.ParseReference(host + "/sup:dev")
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img, remote.WithTransport(base)); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{next: base}
			c, err := registry.New(registry.WithTransport(rec))
			if err != nil {
				t.Fatal(err)
			}
			pull(t, c, ref)
			if got := rec.take(); !slices.Equal(got, tc.first) {
				t.Errorf("first pull: requests %q, want %q", got, tc.first)
			}
			pull(t, c, ref)
			if got, want := rec.take(), tc.first[len(tc.first)-1:]; !slices.Equal(got, want) {
				t.Errorf("second pull: requests %q, want %q", got, want)
			}
		})
	}
}

// TestNoCredentialsToOtherHosts: a blob redirected to another host (a
// CDN) is fetched without the registry's Authorization header.
func TestNoCredentialsToOtherHosts(t *testing.T) {
	var cdnAuth []string
	var mu sync.Mutex
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cdnAuth = append(cdnAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, "blob")
	}))
	defer cdn.Close()
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Basic YWxpY2U6c2VjcmV0" { // alice:secret
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, cdn.URL+"/blob?sig=x", http.StatusTemporaryRedirect)
	}))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	c, err := registry.New(registry.WithKeychain(staticKeychain{"alice", "secret"}))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/sup:dev")
	ctx := context.Background()
	err = c.Each(ctx, ref, "fetch", func(repo *registry.Repo, ref name.Reference) error {
		desc, err := remoteDesc("blob")
		if err != nil {
			return err
		}
		rc := repo.Blob(ctx, desc)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err == nil && string(b) != "blob" {
			t.Errorf("blob %q", b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cdnAuth) != 1 || cdnAuth[0] != "" {
		t.Errorf("the CDN got Authorization headers %q, want one request without", cdnAuth)
	}
}
