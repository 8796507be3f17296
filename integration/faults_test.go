package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestTokenAuth pulls from a real registry that requires bearer tokens
// from a token service, then with the token service stalling, answering
// nothing or answering a web page: exit 5 within --timeout, each time.
func TestTokenAuth(t *testing.T) {
	t.Parallel()
	ts := registrytest.NewTokenServer(t)
	reg := startRegistry(t, registrytest.Options{Token: ts})
	_, ref := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
	before := ts.Requests() // the push's
	res, o := newUser(t).pullJSON(t, ref, "--platform", "linux/amd64", "--log-level", "debug")
	if res.Version != versionB {
		t.Fatalf("pull with bearer auth: version %q", res.Version)
	}
	// Every request is in the debug log, without the query (the token
	// request's scope) and without credentials.
	for _, want := range []string{"msg=registry-request method=GET url=" + ts.Realm() + " status=200", "url=http://" + reg.Host() + "/v2/openshell/supervisor/manifests/dev status=401",
		"url=http://" + reg.Host() + "/v2/openshell/supervisor/manifests/dev status=200"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("the debug log lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "scope=") || strings.Contains(o.stderr, "Bearer") || strings.Contains(o.stderr, "eyJ") {
		t.Errorf("the debug log shows a query or a credential:\n%s", o.stderr)
	}
	if n := ts.Requests() - before; n != 1 {
		t.Errorf("the token service was asked %d times, want once for the whole pull", n)
	}
	for _, m := range []struct {
		mode registrytest.TokenMode
		say  string
	}{
		{registrytest.TokenStall, "unreachable"},
		{registrytest.TokenNoAnswer, "unreachable"},
		{registrytest.TokenWebPage, "not a registry API"},
	} {
		ts.SetMode(m.mode)
		o := newUser(t).supctl(t, "pull", ref, "--platform", "linux/amd64", "--timeout", "3s")
		t.Logf("token service mode %d: exit %d after %v: %s", m.mode, o.code, o.took.Round(time.Millisecond), strings.TrimSpace(o.stderr))
		if line := errorLine(t, o); o.code != 5 || !strings.Contains(line, m.say) || strings.Contains(line, `Get "`) {
			t.Errorf("token service mode %d: want exit 5 saying %q, without Go's request text\n%s", m.mode, m.say, o)
		}
	}
}

// TestMirrorInProxyMode: a second docker-registry, a pull-through cache of
// the first, serves as --mirror.
func TestMirrorInProxyMode(t *testing.T) {
	t.Parallel()
	origin := startRegistry(t, registrytest.Options{})
	mirror := startRegistry(t, registrytest.Options{ProxyRemote: origin.URL()})
	b, ref := origin.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
	u := newUser(t)
	var res pullResult
	reqs := mirror.during(t, func() {
		res, _ = u.pullJSON(t, ref, "--platform", "linux/amd64", "--mirror", origin.Host()+"="+mirror.Host())
	})
	checkBinary(t, res.Path, u.cache, b.Images["linux/amd64"])
	if registrytest.CountManifestGets(reqs, "dev") == 0 {
		t.Errorf("the mirror was not asked for the tag:\n%s", registrytest.FormatRequests(reqs))
	}
	if o := u.supctl(t, "pull", ref, "--mirror", "http://"+mirror.Host()); o.code != 2 {
		t.Errorf("a bad --mirror spec: want exit 2\n%s", o)
	}
}

// TestPinWithTheRegistryDown: pin never pins from records: with the
// registry gone it exits 5, though pull still serves the cached binary.
func TestPinWithTheRegistryDown(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	var ref string
	t.Run("up", func(t *testing.T) {
		reg := startRegistry(t, registrytest.Options{})
		_, ref = reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
		if o := u.supctl(t, "pin", ref); o.code != 0 {
			t.Fatalf("pin: %s", o)
		}
	})
	if t.Failed() || ref == "" {
		t.FailNow()
	}
	o := u.supctl(t, "pin", ref)
	if o.code != 5 || strings.Contains(o.stdout, "@sha256:") {
		t.Errorf("pin with the registry down: want exit 5 and no pin\n%s", o)
	}
	if o := u.supctl(t, "pull", ref, "--platform", "linux/amd64"); o.code != 0 {
		t.Errorf("pull with the registry down, tag fresh: want the cached binary\n%s", o)
	}
}

// TestPlatformOfASingleManifest: an amd64-only image asked for arm64 is
// exit 4 naming linux/amd64, cold and warm, by tag and by digest, with
// --pull always too, and for inspect.
func TestPlatformOfASingleManifest(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	im, err := fixture.BuildImage(t.Context(), fixture.Options{BuildDir: fixtureDir, Version: versionB}, v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Host() + "/single:dev"
	if err := fixture.PushImage(t.Context(), ref, im.Image, remote.WithTransport(reg.Transport()), remote.WithAuth(reg.auth)); err != nil {
		t.Fatal(err)
	}
	d, err := im.Image.Digest()
	if err != nil {
		t.Fatal(err)
	}
	byDigest := reg.Host() + "/single@" + d.String()
	u := newUser(t)
	mismatch := func(args ...string) {
		t.Helper()
		o := u.supctl(t, args...)
		if o.code != 4 || !strings.Contains(errorLine(t, o), "linux/amd64") || o.stdout != "" {
			t.Errorf("want exit 4 naming linux/amd64 and nothing on stdout\n%s", o)
		}
	}
	mismatch("pull", ref, "--platform", "linux/arm64")
	mismatch("pull", byDigest, "--platform", "linux/arm64")
	if res, _ := u.pullJSON(t, ref, "--platform", "linux/amd64"); res.Platform != "linux/amd64" {
		t.Fatalf("pull for amd64: platform %q", res.Platform)
	}
	mismatch("pull", ref, "--platform", "linux/arm64")
	mismatch("pull", byDigest, "--platform", "linux/arm64")
	mismatch("pull", ref, "--platform", "linux/arm64", "--pull", "always")
	mismatch("inspect", ref, "--platform", "linux/arm64")
}

// TestStallingRegistry: a real registry behind a proxy that stalls the
// binary's blob after its headers: exit 5 within --timeout; once the tag
// is recorded and stale, it is served from the cache.
func TestStallingRegistry(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	f := registrytest.NewFault(t, reg.URL(), reg.Transport())
	b, _ := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
	ref := f.Host() + "/openshell/supervisor:dev"
	im := b.Images["linux/amd64"]
	blob := "/v2/openshell/supervisor/blobs/" + im.Layers[im.BinaryLayer].String()
	u := newUser(t)
	f.On(registrytest.Path(blob), 0, registrytest.StallAfterHeaders())
	o := u.supctl(t, "pull", ref, "--platform", "linux/amd64", "--timeout", "2s")
	t.Logf("stalled blob: exit %d after %v", o.code, o.took.Round(time.Millisecond))
	if o.code != 5 || !strings.Contains(errorLine(t, o), "raise --timeout") {
		t.Errorf("stalled blob: want exit 5, advising --timeout\n%s", o)
	}
	f.Reset()
	if o := u.supctl(t, "pull", ref, "--platform", "linux/amd64"); o.code != 0 {
		t.Fatalf("pull: %s", o)
	}
	f.On(func(*http.Request) bool { return true }, 0, registrytest.StallBeforeHeaders())
	res, o := u.pullJSON(t, ref, "--platform", "linux/amd64", "--max-age", "0s", "--timeout", "2s")
	if res.ResolvedFrom != "stale-cache" {
		t.Errorf("stalled registry, stale tag: want stale-cache\n%s", o)
	}
}

// stallBound is how long, with default settings, a pull from a registry
// that stalls every body may take to end (README, "How it decides").
const stallBound = 75 * time.Second

// TestStallsFailFastWithDefaults: with default settings, a registry that
// stalls every blob body after its headers ends a cold pull in exit 5, and
// a pull of a moved tag in the recorded binary served stale with its
// warning, within the bound — after at most two stalled attempts in all,
// as the proxy counts them. (Each case waits two default stall timeouts.)
func TestStallsFailFastWithDefaults(t *testing.T) {
	t.Parallel()
	stalledPull := func(t *testing.T, u *user, f *registrytest.Fault, args ...string) outcome {
		t.Helper()
		f.On(registrytest.Blob(""), 0, registrytest.StallAfterHeaders())
		ctx, cancel := context.WithTimeout(t.Context(), 2*stallBound)
		defer cancel()
		var stdout, stderr bytes.Buffer
		start := time.Now()
		err := u.command(ctx, &stdout, &stderr, args...).Run()
		o := finish(t, args, err, &stdout, &stderr, time.Since(start))
		t.Logf("every blob stalls: exit %d after %v, %d stalled attempts", o.code, o.took.Round(time.Millisecond), f.Faulted())
		if o.took > stallBound {
			t.Errorf("took %v, over the %v bound", o.took.Round(time.Millisecond), stallBound)
		}
		if n := f.Faulted(); n > 2 {
			t.Errorf("%d stalled body attempts, want at most 2", n)
		}
		return o
	}
	t.Run("cold", func(t *testing.T) {
		t.Parallel()
		reg := startRegistry(t, registrytest.Options{})
		f := registrytest.NewFault(t, reg.URL(), reg.Transport())
		reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
		o := stalledPull(t, newUser(t), f, "pull", f.Host()+"/openshell/supervisor:dev", "--platform", "linux/amd64")
		if o.code != 5 {
			t.Errorf("want exit 5\n%s", o)
		}
	})
	t.Run("moved tag", func(t *testing.T) {
		t.Parallel()
		reg := startRegistry(t, registrytest.Options{})
		f := registrytest.NewFault(t, reg.URL(), reg.Transport())
		reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
		ref := f.Host() + "/openshell/supervisor:dev"
		u := newUser(t)
		if o := u.supctl(t, "pull", ref, "--platform", "linux/amd64"); o.code != 0 {
			t.Fatalf("pull: %s", o)
		}
		reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionC})
		o := stalledPull(t, u, f, "pull", ref, "--platform", "linux/amd64", "--max-age", "0s", "--json")
		var res pullResult
		if err := json.Unmarshal([]byte(o.stdout), &res); err != nil || o.code != 0 || res.ResolvedFrom != "stale-cache" || res.Version != versionB {
			t.Errorf("want the recorded binary served stale (%v)\n%s", err, o)
		}
		if !strings.Contains(o.stderr, "stale-served") {
			t.Errorf("no stale-served warning on stderr:\n%s", o.stderr)
		}
	})
}

// TestProxyFromEnvironment: requests go through the proxy the environment
// names (HTTP_PROXY here: plain HTTP under --insecure; HTTPS_PROXY is read
// by the same mechanism). The registry's name does not even resolve: only
// the proxy can reach it.
func TestProxyFromEnvironment(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	proxy := registrytest.NewFault(t, reg.URL(), reg.Transport())
	b, _ := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
	u := newUser(t).withEnv("HTTP_PROXY=" + proxy.URL())
	ref := "registry.invalid:5000/openshell/supervisor:dev"
	res, o := u.pullJSON(t, ref, "--platform", "linux/amd64", "--insecure")
	checkBinary(t, res.Path, u.cache, b.Images["linux/amd64"])
	if proxy.Hits("GET", "/v2/openshell/supervisor/manifests/dev") != 1 {
		t.Errorf("the proxy did not carry the pull:\n%s", o)
	}
}

// TestWebServerWhereARegistryShouldBe: a web site answering HTML to every
// request is named as such, exit 5, not "not found".
func TestWebServerWhereARegistryShouldBe(t *testing.T) {
	t.Parallel()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("<!doctype html><title>Not Found</title>"))
	}))
	defer site.Close()
	o := newUser(t).supctl(t, "pull", strings.TrimPrefix(site.URL, "http://")+"/openshell/supervisor:dev")
	if o.code != 5 || !strings.Contains(errorLine(t, o), "web page, not a registry API") {
		t.Errorf("want exit 5 naming a web page\n%s", o)
	}
}

// TestDroppedPackets: a registry address that drops SYNs is exit 5 when
// the dial times out, or at --timeout, whichever comes first.
func TestDroppedPackets(t *testing.T) {
	t.Parallel()
	addr := registrytest.Unanswered(t)
	o := newUser(t).supctl(t, "pull", addr+"/openshell/supervisor:dev", "--timeout", "3s")
	t.Logf("dropped packets: exit %d after %v: %s", o.code, o.took.Round(time.Millisecond), strings.TrimSpace(o.stderr))
	if o.code != 5 || !strings.Contains(errorLine(t, o), "unreachable") {
		t.Errorf("want exit 5, unreachable\n%s", o)
	}
}
