package integration

import (
	"net/http"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestPullNotFound checks the pulls that must end with exit 4 (not found)
// and one line on stderr: a binary deleted by a whiteout or an opaque
// whiteout above it, whose stale bytes must not even be downloaded; an
// image without the binary; an index without the platform asked for; an
// unknown tag or repository. None leaves an entry in the cache.
func TestPullNotFound(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})

	for _, layout := range []fixture.Layout{fixture.WhiteoutOnTop, fixture.OpaqueOnTop} {
		t.Run(layout.String(), func(t *testing.T) {
			// Base, two plain layers (the first holds the stale binary),
			// the whiteout on top.
			b, ref := reg.push(t, "whiteout/"+strings.ToLower(layout.String())+":dev",
				fixture.Options{Version: versionA, Layout: layout, LayersAbove: 2})
			for _, platform := range []string{"linux/amd64", "linux/arm64"} {
				im := b.Images[platform]
				if im.BinaryLayer < 0 || im.BinaryLayer >= len(im.Layers)-1 || im.Visible {
					t.Fatalf("fixture %v: the stale binary is in layer %d of %d, visible %v", layout, im.BinaryLayer, len(im.Layers), im.Visible)
				}
				u := newUser(t)
				o, reqs := pullFails(t, reg, u, 4, ref, "--platform", platform)
				errorLine(t, o)
				stale := im.Layers[im.BinaryLayer].String()
				if n := registrytest.CountBlobGets(reqs, stale); n != 0 {
					t.Errorf("%s: the whited-out binary's layer %s was fetched %d times", platform, stale, n)
				}
				top := im.Layers[len(im.Layers)-1].String()
				if n := countKind(reqs, http.MethodGet, registrytest.KindBlob); n != 1 || blobGets(reqs)[top] != 1 {
					t.Errorf("%s: %d blob GETs, want one, of the whiteout layer %s:\n%s", platform, n, top, registrytest.FormatRequests(reqs))
				}
				noEntries(t, u)
			}
		})
	}

	t.Run("BinaryMissing", func(t *testing.T) {
		_, ref := reg.push(t, "missing/sup:dev", fixture.Options{Version: versionA, Layout: fixture.BinaryMissing})
		u := newUser(t)
		o, _ := pullFails(t, reg, u, 4, ref)
		if line := errorLine(t, o); !strings.Contains(line, "openshell-sandbox") {
			t.Errorf("the message does not name the missing file: %q", line)
		}
		noEntries(t, u)
	})

	t.Run("platform", func(t *testing.T) {
		b := build(t, fixture.Options{Version: versionA, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
		ref := reg.pushIndex(t, "amd64only/sup:dev", b.Index)
		u := newUser(t)
		o, reqs := pullFails(t, reg, u, 4, ref, "--platform", "linux/arm64")
		line := errorLine(t, o)
		if !strings.Contains(line, "linux/amd64") || !strings.Contains(line, "linux/arm64") {
			t.Errorf("the message does not name the platform asked for and the one the index has: %q", line)
		}
		if n := registrytest.CountRoute(reqs, "", registrytest.KindBlob, ""); n != 0 {
			t.Errorf("%d blob requests for an index without the platform", n)
		}
		noEntries(t, u)
		// The same index by digest, and the platform it has: fine.
		res, _ := u.pullJSON(t, reg.Host()+"/amd64only/sup@"+indexDigest(t, b), "--platform", "linux/amd64")
		checkBinary(t, res.Path, u.cache, b.Images["linux/amd64"])
	})

	t.Run("unknown", func(t *testing.T) {
		reg.push(t, "known/sup:dev", fixture.Options{Version: versionA})
		for _, ref := range []string{
			reg.Host() + "/known/sup:nosuchtag",
			reg.Host() + "/nosuch/repository:dev",
			reg.Host() + "/known/sup@sha256:" + strings.Repeat("0", 64),
		} {
			u := newUser(t)
			o, _ := pullFails(t, reg, u, 4, ref)
			errorLine(t, o)
			noEntries(t, u)
		}
	})
}

// pullFails runs "supctl pull args..." as u, requires exit code want and
// returns what it did with the registry requests it caused.
func pullFails(t *testing.T, reg *registry, u *user, want int, args ...string) (outcome, []registrytest.Request) {
	t.Helper()
	var o outcome
	reqs := reg.during(t, func() { o = u.supctl(t, append([]string{"pull"}, args...)...) })
	t.Logf("supctl pull %s: exit %d: %s", strings.Join(args, " "), o.code, strings.TrimSpace(o.stderr))
	if o.code != want {
		t.Errorf("want exit %d:\n%s", want, o)
	}
	return o, reqs
}

// noEntries fails if u's cache holds an entry.
func noEntries(t *testing.T, u *user) {
	t.Helper()
	if e := entryDirs(t, u.cache); len(e) != 0 {
		t.Errorf("a failed pull left entries in the cache: %v", e)
	}
}

// TestPullOtherExits checks the other exit codes of the contract: 3 for a
// binary outside the --compat range (and its entry stays cached, a later
// pull within the range uses it), 2 for usage errors, found before any
// request.
func TestPullOtherExits(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	b, ref := reg.push(t, "compat/sup:dev", fixture.Options{Version: versionA})
	im := b.Images["linux/amd64"]
	u := newUser(t)

	o, _ := pullFails(t, reg, u, 3, ref, "--platform", "linux/amd64", "--compat", ">=0.1.0 <0.2.0")
	line := errorLine(t, o)
	for _, want := range []string{versionA, ">=0.1.0 <0.2.0", manifestDigest(t, im)} {
		if !strings.Contains(line, want) {
			t.Errorf("the incompatibility message does not name %q: %q", want, line)
		}
	}
	var res pullResult
	reqs := reg.during(t, func() {
		res, _ = u.pullJSON(t, ref, "--platform", "linux/amd64", "--compat", ">=0.0.47-0 <0.1.0")
	})
	if len(reqs) != 0 || res.ResolvedFrom != "cache" || res.Version != versionA {
		t.Errorf("pull within the range after an incompatible one: %d requests, %+v; want none, from the cache", len(reqs), res)
	}
	checkBinary(t, res.Path, u.cache, im)

	for _, args := range [][]string{
		{"pull"},
		{"pull", ref, ref},
		{"pull", "Not A Reference!"},
		{"pull", ref, "--platform", "linux"},
		{"pull", ref, "--pull", "sometimes"},
		{"pull", ref, "--max-age", "soon"},
		{"pull", ref, "--compat", ">=banana"},
		{"pull", ref, "--mirror", "no-equals-sign"},
		{"pull", ref, "--log-format", "xml"},
		{"pull", ref, "--no-such-flag"},
	} {
		var o outcome
		reqs := reg.during(t, func() { o = u.supctl(t, args...) })
		if o.code != 2 {
			t.Errorf("want exit 2 (usage):\n%s", o)
		}
		errorLine(t, o)
		if len(reqs) != 0 {
			t.Errorf("supctl %s sent %d requests", strings.Join(args, " "), len(reqs))
		}
	}
}
