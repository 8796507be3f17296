package integration

import (
	"context"
	"net/http"
	"os/exec"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/proctest"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestConcurrentPulls starts eight supctl processes pulling one uncached
// reference into one cache at once. All must succeed with the same path to
// the same bytes, exactly one of them extracts it, the binary's layer is
// downloaded once, and the cache holds one entry.
func TestConcurrentPulls(t *testing.T) {
	t.Parallel()
	const procs = 8
	reg := startRegistry(t, registrytest.Options{})
	// A binary big enough for the extraction to take a while.
	b, ref := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionC, Size: 6 << 20})
	im := b.Images["linux/amd64"]
	u := newUser(t)
	args := []string{"pull", "--json", ref, "--platform", "linux/amd64"}

	top := im.Layers[len(im.Layers)-1].String()
	var outs []*proctest.Outcome
	reqs := reg.during(t, func() {
		ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
		defer cancel()
		outs = proctest.Together(procs, func(int) *exec.Cmd { return u.command(ctx, nil, nil, args...) })
	})
	for _, o := range outs {
		finish(t, args, o.Err, &o.Stdout, &o.Stderr, o.Took) // exited by itself, no data race
	}
	path := proctest.OnePull(t, outs, registrytest.CountBlobGets(reqs, top))
	checkBinary(t, path, u.cache, im)
	t.Logf("%d requests: %d manifest GETs, %d GETs of the binary's layer, %d blob GETs in all",
		len(reqs), registrytest.CountManifestGets(reqs, ""), registrytest.CountBlobGets(reqs, top),
		countKind(reqs, http.MethodGet, registrytest.KindBlob))
	if t.Failed() {
		t.Logf("the registry's requests:\n%s", registrytest.FormatRequests(reqs))
	}
	if n := countKind(reqs, http.MethodGet, registrytest.KindBlob); n != 1 {
		t.Errorf("%d blob GETs in all, want 1", n)
	}
	if e := entryDirs(t, u.cache); len(e) != 1 {
		t.Errorf("the cache holds %d entries, want 1: %v", len(e), e)
	}
}
