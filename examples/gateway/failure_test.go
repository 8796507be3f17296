package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// flakyRegistry is an in-process registry that can be taken offline (every
// request answered 503) and records the requests it served.
type flakyRegistry struct {
	srv     *httptest.Server
	offline atomic.Bool
	mu      sync.Mutex
	reqs    []string // "METHOD PATH"
}

func newFlakyRegistry(t *testing.T) *flakyRegistry {
	f := &flakyRegistry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.offline.Load() {
			http.Error(w, "offline", http.StatusServiceUnavailable)
			return
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *flakyRegistry) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *flakyRegistry) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.reqs
	f.reqs = nil
	return r
}

// TestOriginalFailure replays the original report on the real engine: the
// cache holds an old supervisor from the floating tag :dev; the gateway,
// upgraded, needs a newer one. With the registry offline the gateway
// refuses with an error naming both versions instead of starting with the
// old one. Once the tag has moved, one check of the tag and one download of
// the new binary's layer select the new supervisor, the startup log names
// it, and the smoke run prints its version line from a container.
//
// The tag's last check is weeks old, as in the report, or fresh (a gateway
// upgraded minutes after a pull): a cached supervisor that does not fit
// makes the tag be checked once whatever its age.
func TestOriginalFailure(t *testing.T) {
	for _, age := range []time.Duration{21 * 24 * time.Hour, 0} {
		t.Run("checked "+age.String()+" ago", func(t *testing.T) { originalFailure(t, age) })
	}
}

func originalFailure(t *testing.T, age time.Duration) {
	const oldVersion, newVersion = "0.0.37-dev.160", "0.0.47-dev.13+g57b71c68f"
	ctx := context.Background()
	plat := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	reg := newFlakyRegistry(t)
	ref := reg.host() + "/openshell/supervisor:dev"
	build := t.TempDir()
	old, err := fixture.Build(ctx, fixture.Options{Version: oldVersion, Platforms: []v1.Platform{plat}, BuildDir: build})
	if err != nil {
		t.Fatal(err)
	}
	if err := fixture.Push(ctx, ref, old.Index); err != nil {
		t.Fatal(err)
	}
	cfg := driverConfig{SupervisorImage: ref, CacheDir: t.TempDir()}

	// Weeks ago: an older gateway, with no range, took :dev.
	c, err := cache.Open(cfg.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolver.New(c)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.Resolve(ctx, ref); err != nil || res.Version != oldVersion {
		t.Fatalf("the old gateway's pull: %+v, %v", res, err)
	}
	// ... and has not checked it since.
	rec, err := c.Records().Ref(ref)
	if err != nil {
		t.Fatal(err)
	}
	rec.CheckedAt = rec.CheckedAt.Add(-age)
	if err := c.Records().PutRef(rec); err != nil {
		t.Fatal(err)
	}

	// The upgraded gateway starts while the registry is down.
	reg.offline.Store(true)
	var logs bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logs, nil))
	_, _, err = selectSupervisor(ctx, cfg, lg)
	var ie *resolver.IncompatibleError
	if !errors.As(err, &ie) || ie.Version != oldVersion || !strings.Contains(err.Error(), oldVersion) || !strings.Contains(err.Error(), supervisorRange) {
		t.Fatalf("registry offline: got %v; want an incompatible error naming %s and %q", err, oldVersion, supervisorRange)
	}
	t.Log(err)

	// The registry is back, and the tag has moved on.
	reg.offline.Store(false)
	nb, err := fixture.Build(ctx, fixture.Options{Version: newVersion, Platforms: []v1.Platform{plat}, BuildDir: build})
	if err != nil {
		t.Fatal(err)
	}
	if err := fixture.Push(ctx, ref, nb.Index); err != nil {
		t.Fatal(err)
	}
	reg.take()
	logs.Reset()
	sup, release, err := selectSupervisor(ctx, cfg, lg)
	if err != nil {
		t.Fatalf("after the tag moved: %v", err)
	}
	defer release()
	if sup.Version != newVersion {
		t.Fatalf("selected %s; want %s", sup.Version, newVersion)
	}
	reqs := reg.take()
	img := nb.Images[plat.OS+"/"+plat.Architecture]
	layers, err := img.Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	binLayer, err := layers[img.BinaryLayer].Digest()
	if err != nil {
		t.Fatal(err)
	}
	var tagChecks, layerGets, binGets int
	for _, rq := range reqs {
		if strings.HasSuffix(rq, "/manifests/dev") {
			tagChecks++
		}
		for _, l := range layers {
			d, _ := l.Digest()
			if rq == "GET /v2/openshell/supervisor/blobs/"+d.String() {
				layerGets++
				if d == binLayer {
					binGets++
				}
			}
		}
	}
	if tagChecks != 1 || layerGets != 1 || binGets != 1 {
		t.Fatalf("after the tag moved: %d requests for the tag, %d layer downloads (%d of the binary's layer); want 1, 1, 1:\n%s",
			tagChecks, layerGets, binGets, strings.Join(reqs, "\n"))
	}
	if !strings.Contains(logs.String(), `msg="supervisor selected"`) || !strings.Contains(logs.String(), "version="+newVersion) {
		t.Fatalf("the startup log does not name the new supervisor:\n%s", logs.String())
	}

	// The smoke run, in a container of the real engine.
	if d := engine.Diagnose(ctx); d.Err != nil {
		if os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
			t.Fatalf("no container engine, and SUPCTL_REQUIRE_ENGINE=1: %v", d.Err)
		}
		t.Skipf("smoke run skipped: no container engine: %v", d.Err)
	}
	var out bytes.Buffer
	logs.Reset()
	if err := smokeRun(ctx, sup, lg, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "openshell-sandbox "+newVersion+"\n" {
		t.Fatalf("smoke run printed %q\n%s", got, logs.String())
	}
}
