package integration

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/internal/fixture"
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

	outs := make([]outcome, procs)
	reqs := reg.during(t, func() {
		ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
		defer cancel()
		var (
			wg      sync.WaitGroup
			started = make(chan struct{})
			errs    = make([]error, procs)
			bufs    = make([][2]bytes.Buffer, procs)
			took    = make([]time.Duration, procs)
		)
		for i := range procs {
			cmd := u.command(ctx, &bufs[i][0], &bufs[i][1], args...)
			wg.Go(func() {
				<-started // start all at once
				start := time.Now()
				err := cmd.Run()
				errs[i], took[i] = err, time.Since(start)
			})
		}
		close(started)
		wg.Wait()
		for i := range procs {
			outs[i] = finish(t, args, errs[i], &bufs[i][0], &bufs[i][1], took[i])
		}
	})

	var path string
	extracted := 0
	for i, o := range outs {
		if o.code != 0 {
			t.Errorf("process %d: want exit 0:\n%s", i, o)
			continue
		}
		res := decodePull(t, o)
		if path == "" {
			path = res.Path
		}
		if res.Path != path {
			t.Errorf("process %d printed %s, another %s", i, res.Path, path)
		}
		if res.Extracted {
			extracted++
		}
		t.Logf("process %d: %v, extracted %v, resolved_from %s", i, o.took.Round(time.Millisecond), res.Extracted, res.ResolvedFrom)
	}
	if t.Failed() {
		t.FailNow()
	}
	checkBinary(t, path, u.cache, im)
	if extracted != 1 {
		t.Errorf("%d processes say they extracted the binary, want exactly one", extracted)
	}
	top := im.Layers[len(im.Layers)-1].String()
	t.Logf("%d requests: %d manifest GETs, %d GETs of the binary's layer, %d blob GETs in all",
		len(reqs), registrytest.CountManifestGets(reqs, ""), registrytest.CountBlobGets(reqs, top),
		countKind(reqs, http.MethodGet, registrytest.KindBlob))
	if n := registrytest.CountBlobGets(reqs, top); n != 1 {
		t.Errorf("the binary's layer %s was downloaded %d times by %d processes, want once:\n%s", top, n, procs, registrytest.FormatRequests(reqs))
	}
	if n := countKind(reqs, http.MethodGet, registrytest.KindBlob); n != 1 {
		t.Errorf("%d blob GETs in all, want 1", n)
	}
	if e := entryDirs(t, u.cache); len(e) != 1 {
		t.Errorf("the cache holds %d entries, want 1: %v", len(e), e)
	}
}
