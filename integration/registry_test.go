package integration

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// registry is a real docker-registry process, the proxy in front of it
// through which it is reached, and the credentials that push to it.
//
// The requests a test counts (see during) are those the proxy, a
// registrytest.Fault without rules, passed on to the registry: one for one
// the requests the registry answered, but recorded when they arrive, so
// the count of an operation is exact as soon as it has returned. The
// registry's own access log would need Sync: the registry writes a
// request's line after it has sent the answer. No test here asserts
// anything only the registry itself can see, so none reads its log.
type registry struct {
	*registrytest.Server
	front *registrytest.Fault // nil with TLS: the proxy speaks plain HTTP
	auth  authn.Authenticator
}

// startRegistry starts a docker-registry for t (see registrytest.Start)
// and, without o.TLS, the proxy in front of it that Host, URL and
// Transport then name. With o.Htpasswd, pushes use its first user in name
// order.
func startRegistry(t *testing.T, o registrytest.Options) *registry {
	t.Helper()
	r := &registry{Server: registrytest.Start(t, o), auth: authn.Anonymous}
	if !o.TLS {
		r.front = registrytest.NewFault(t, r.Server.URL(), r.Server.Transport())
	}
	for name, pass := range o.Htpasswd {
		if b, ok := r.auth.(*authn.Basic); !ok || name < b.Username {
			r.auth = &authn.Basic{Username: name, Password: pass}
		}
	}
	return r
}

// Host is the "127.0.0.1:PORT" of the proxy in front of the registry, or
// of the registry itself with TLS.
func (r *registry) Host() string {
	if r.front != nil {
		return r.front.Host()
	}
	return r.Server.Host()
}

// URL is the "http://127.0.0.1:PORT" of the proxy in front of the
// registry, or the registry's "https://…" with TLS.
func (r *registry) URL() string {
	if r.front != nil {
		return r.front.URL()
	}
	return r.Server.URL()
}

// Transport reaches the registry through the proxy, or directly with TLS.
func (r *registry) Transport() http.RoundTripper {
	if r.front != nil {
		return r.front.Transport()
	}
	return r.Server.Transport()
}

// build builds the fixture index o, its binaries in the shared fixture
// directory unless o says otherwise.
func build(t *testing.T, o fixture.Options) *fixture.Built {
	t.Helper()
	if o.BuildDir == "" {
		o.BuildDir = fixtureDir
	}
	b, err := fixture.Build(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// push builds the fixture o, pushes it to repoTag ("repo:tag") on r and
// returns it with the full reference.
func (r *registry) push(t *testing.T, repoTag string, o fixture.Options) (*fixture.Built, string) {
	t.Helper()
	b := build(t, o)
	return b, r.pushIndex(t, repoTag, b.Index)
}

// pushIndex pushes idx to repoTag on r and returns the full reference.
func (r *registry) pushIndex(t *testing.T, repoTag string, idx v1.ImageIndex) string {
	t.Helper()
	ref := r.Host() + "/" + repoTag
	err := fixture.Push(t.Context(), ref, idx, remote.WithTransport(r.Transport()), remote.WithAuth(r.auth))
	if err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

// during runs fn and returns the registry requests it caused, as the proxy
// in front of the registry recorded them. fn must not return before its
// requests are answered (a supctl process that has exited is done).
func (r *registry) during(t *testing.T, fn func()) []registrytest.Request {
	t.Helper()
	if r.front == nil {
		t.Fatal("counting requests needs the proxy in front of the registry, which a registry with TLS has not")
	}
	m := r.front.Mark()
	fn()
	return r.front.Since(m)
}

// blobGets counts the GETs of each blob, by digest.
func blobGets(reqs []registrytest.Request) map[string]int {
	out := map[string]int{}
	for _, q := range reqs {
		if rt := q.Route(); rt.Kind == registrytest.KindBlob && q.Method == http.MethodGet {
			out[rt.Ref]++
		}
	}
	return out
}

// countKind counts the requests of one method to one kind of endpoint.
func countKind(reqs []registrytest.Request, method string, kind registrytest.Kind) int {
	return registrytest.CountRoute(reqs, method, kind, "")
}

func indexDigest(t *testing.T, b *fixture.Built) string {
	t.Helper()
	h, err := b.Index.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

func manifestDigest(t *testing.T, im *fixture.BuiltImage) string {
	t.Helper()
	h, err := im.Image.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// wantVersion returns the version and version source a pull of im's
// binary must report on this host, im having been built with version.
// supctl runs a binary of the host's own platform ("run"). Others it must
// not run; it reads their version from the file, in this order: from the
// Go build information when it records -ldflags setting a version (the go
// command drops -ldflags from it under -trimpath), else from the line
// version marker (NUL, "openshell-sandbox <version>", NUL) in the binary's
// data ("elf-string"); else the version is unknown, never
// a guess. Which case applies is read from the binary here with the
// standard library, so the expectation is exact whichever way the fixture
// is built.
func wantVersion(t *testing.T, im *fixture.BuiltImage, version string) (string, string) {
	t.Helper()
	if platformOf(im) == runtime.GOOS+"/"+runtime.GOARCH {
		return version, "run"
	}
	fixture.ForeignUnrunnable(t, im.Platform.Architecture) // or it would run through an emulator
	bi, err := buildinfo.ReadFile(im.Binary)
	if err != nil {
		t.Fatalf("reading the build information of %s: %v", im.Binary, err)
	}
	for _, s := range bi.Settings {
		if s.Key == "-ldflags" && strings.Contains(s.Value, "version="+version) {
			return version, "go-buildinfo"
		}
	}
	data, err := os.ReadFile(im.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("\x00openshell-sandbox "+version+"\x00")) { // the version marker
		return version, "elf-string"
	}
	return "", "unknown"
}

// platformOf is im's platform as "os/arch[/variant]".
func platformOf(im *fixture.BuiltImage) string {
	p := im.Platform.OS + "/" + im.Platform.Architecture
	if im.Platform.Variant != "" {
		p += "/" + im.Platform.Variant
	}
	return p
}

// checkBinary checks that path, printed by a pull into cache, is a
// read-only executable in the cache's entries holding exactly the bytes of
// im's binary.
func checkBinary(t *testing.T, path, cache string, im *fixture.BuiltImage) {
	t.Helper()
	entries := filepath.Join(cache, "entries") + string(filepath.Separator) + "sha256-"
	if !strings.HasPrefix(path, entries) {
		t.Errorf("binary %s is not in the cache's entries (%s...)", path, entries)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o555 {
		t.Errorf("binary %s has mode %v, want a regular file -r-xr-xr-x", path, fi.Mode())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(im.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("binary %s (%d bytes, sha256 %s) differs from the one in the image (%d bytes, sha256 %s)",
			path, len(got), sha256Hex(got), len(want), sha256Hex(want))
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// entryDirs lists the committed entry directories of a cache.
func entryDirs(t *testing.T, cache string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(cache, "entries"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		if ok, _ := filepath.Match("sha256-*", d.Name()); ok && d.IsDir() {
			out = append(out, d.Name())
		}
	}
	return out
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Versions of the fixture supervisors. Each version costs a compile per
// platform (cached for the rest of the run), so the tests share a few.
const (
	versionA = "0.0.47-dev.12+g1a2b3c4d"
	versionB = "0.0.48-dev.1"
	versionC = "0.1.0-rc.1"
	versionD = "1.2.3"
)
