package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestPullRequests follows one floating tag through its life and counts,
// at the proxy in front of the registry, the requests each pull costs: a
// cold pull fetches the binary's layer blob and nothing below it; a warm
// pull of a fresh tag sends nothing; a stale tag that did not move costs
// one HEAD of the manifest; a moved tag is noticed by that HEAD and the new
// binary is extracted; --pull never sends nothing.
func TestPullRequests(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	// Five layers: base, three plain, the binary on top.
	opts := fixture.Options{Version: versionA, LayersAbove: 3}
	b1, ref := reg.push(t, "openshell/supervisor:dev", opts)
	im1 := b1.Images["linux/amd64"]
	u := newUser(t)
	pull := func(args ...string) (pullResult, []registrytest.Request) {
		t.Helper()
		var res pullResult
		reqs := reg.during(t, func() {
			res, _ = u.pullJSON(t, append([]string{ref, "--platform", "linux/amd64"}, args...)...)
		})
		t.Logf("supctl pull %s %s: %d requests\n%s", ref, strings.Join(args, " "), len(reqs), registrytest.FormatRequests(reqs))
		return res, reqs
	}

	// Cold: one blob GET, of the top layer; no lower layer, no config.
	cold, reqs := pull()
	checkBinary(t, cold.Path, u.cache, im1)
	top := im1.Layers[len(im1.Layers)-1].String()
	gets := blobGets(reqs)
	if n := countKind(reqs, http.MethodGet, registrytest.KindBlob); n != 1 || gets[top] != 1 {
		t.Errorf("cold pull: %d blob GETs (%d of the binary's layer %s), want exactly one, of that layer", n, gets[top], top)
	}
	for i, l := range im1.Layers[:len(im1.Layers)-1] {
		if gets[l.String()] != 0 {
			t.Errorf("cold pull fetched layer %d (%s), below the binary's", i, l)
		}
	}
	if !cold.Extracted || cold.ResolvedFrom != "registry" {
		t.Errorf("cold pull: extracted %v, resolved_from %q; want true, registry", cold.Extracted, cold.ResolvedFrom)
	}

	// Warm, fresh tag: nothing at all.
	warm, reqs := pull()
	if len(reqs) != 0 {
		t.Errorf("warm pull of a fresh tag sent %d requests, want none", len(reqs))
	}
	if warm.ResolvedFrom != "cache" || warm.Extracted || warm.Path != cold.Path {
		t.Errorf("warm pull: resolved_from %q, extracted %v, path %s; want cache, false, %s", warm.ResolvedFrom, warm.Extracted, warm.Path, cold.Path)
	}

	// Stale, unchanged: one HEAD of the manifest and nothing else (no /v2/
	// ping: authentication is learned from a challenge, and this registry
	// asks for none).
	stale, reqs := pull("--max-age", "0s")
	heads := registrytest.CountManifestHeads(reqs, "")
	mgets := registrytest.CountManifestGets(reqs, "")
	blobs := registrytest.CountRoute(reqs, "", registrytest.KindBlob, "")
	if heads != 1 || mgets != 0 || blobs != 0 {
		t.Errorf("stale unchanged tag: %d manifest HEADs, %d manifest GETs, %d blob requests; want 1, 0, 0", heads, mgets, blobs)
	}
	if registrytest.CountManifestHeads(reqs, "dev") != 1 {
		t.Errorf("stale unchanged tag: the HEAD was not of the tag \"dev\"")
	}
	if other := len(reqs) - heads; other != 0 {
		t.Errorf("stale unchanged tag: %d requests besides the manifest HEAD", other)
	}
	if stale.Extracted || stale.ResolvedFrom != "registry" || stale.Path != cold.Path || !stale.CheckedAt.After(cold.CheckedAt) {
		t.Errorf("stale unchanged tag: extracted %v, resolved_from %q, path %s, checked_at %v; "+
			"want false, registry, %s, after %v", stale.Extracted, stale.ResolvedFrom, stale.Path, stale.CheckedAt, cold.Path, cold.CheckedAt)
	}

	// The tag moves. Within the max age the cache still answers, with no
	// request; with --max-age 0s the HEAD sees the move and the new binary
	// is extracted, fetching only its layer.
	b2, _ := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB, LayersAbove: 3})
	im2 := b2.Images["linux/amd64"]
	fresh, reqs := pull()
	if len(reqs) != 0 || fresh.Version != versionA {
		t.Errorf("moved tag within max age: %d requests, version %q; want none and the cached %q", len(reqs), fresh.Version, versionA)
	}
	moved, reqs := pull("--max-age", "0s")
	checkBinary(t, moved.Path, u.cache, im2)
	if moved.Version != versionB || !moved.Extracted || moved.ResolvedFrom != "registry" ||
		moved.Digest != manifestDigest(t, im2) || moved.IndexDigest != indexDigest(t, b2) || moved.Path == cold.Path {
		t.Errorf("moved tag with --max-age 0s: %+v\nwant version %s extracted from the registry, digest %s in %s",
			moved, versionB, manifestDigest(t, im2), indexDigest(t, b2))
	}
	top2 := im2.Layers[len(im2.Layers)-1].String()
	if n := countKind(reqs, http.MethodGet, registrytest.KindBlob); n != 1 || blobGets(reqs)[top2] != 1 {
		t.Errorf("moved tag: %d blob GETs, want exactly one, of the new binary's layer %s", n, top2)
	}
	if registrytest.CountManifestHeads(reqs, "dev") != 1 {
		t.Errorf("moved tag: want one HEAD of the tag")
	}
	// The old binary is still there, untouched: it is content.
	checkBinary(t, cold.Path, u.cache, im1)

	// --pull never: the cached tag is served with no request; an uncached
	// one is exit 5, with no request either.
	never, reqs := pull("--pull", "never", "--max-age", "0s")
	if len(reqs) != 0 || never.ResolvedFrom != "cache" || never.Version != versionB {
		t.Errorf("--pull never of a cached tag: %d requests, resolved_from %q, version %q; want none, cache, %s",
			len(reqs), never.ResolvedFrom, never.Version, versionB)
	}
	var o outcome
	uncached := reg.Host() + "/openshell/supervisor:other"
	reqs = reg.during(t, func() { o = u.supctl(t, "pull", uncached, "--pull", "never") })
	if o.code != 5 {
		t.Errorf("--pull never of an uncached tag: want exit 5\n%s", o)
	}
	if len(reqs) != 0 {
		t.Errorf("--pull never sent %d requests:\n%s", len(reqs), registrytest.FormatRequests(reqs))
	}
	if line := errorLine(t, o); !strings.Contains(line, "never") {
		t.Errorf("--pull never miss: the message does not name the pull policy: %q", line)
	}
	digestRef := reg.Host() + "/openshell/supervisor@" + indexDigest(t, b2)
	reqs = reg.during(t, func() { o = u.supctl(t, "pull", digestRef, "--pull", "never", "--platform", "linux/arm64") })
	if o.code != 5 || len(reqs) != 0 {
		t.Errorf("--pull never of an uncached platform of a known digest: exit %d, %d requests; want 5, none\n%s", o.code, len(reqs), o)
	}

	// --pull always: a fresh, cached tag is still checked, with one HEAD.
	always, reqs := pull("--pull", "always")
	if registrytest.CountManifestHeads(reqs, "") != 1 || registrytest.CountManifestGets(reqs, "") != 0 || len(blobGets(reqs)) != 0 {
		t.Errorf("--pull always of an unchanged tag: want one manifest HEAD and no GET of a manifest or blob")
	}
	if always.Path != moved.Path || always.ResolvedFrom != "registry" || always.Extracted {
		t.Errorf("--pull always of an unchanged tag: %+v", always)
	}
}
