//go:build linux

package bench

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// Environment variables of TestReport.
const (
	envRun     = "SUPCTL_BENCH"          // "1" runs the report
	envOut     = "SUPCTL_BENCH_OUT"      // file the markdown report is written to
	envRounds  = "SUPCTL_BENCH_ROUNDS"   // measured cold runs per contender (default 7; 5 for 150 MiB)
	envMaxLoad = "SUPCTL_BENCH_MAX_LOAD" // wait (up to 10 min) until the 1-minute load average is at most this
)

// The report's scenario sizes.
const (
	concurrentProcs  = 16
	concurrentRounds = 3
	warmRounds       = 15
)

// TestReport measures supctl against SPEC §5 on a real registry and prints
// the markdown report of BENCHMARKS.md; see the package documentation.
// It reports targets met or not; it fails only when a pull fails or gives
// wrong bytes, never on a timing.
func TestReport(t *testing.T) {
	if os.Getenv(envRun) != "1" {
		t.Skipf("the benchmark report runs only with %s=1 (it takes a few minutes and needs docker-registry)", envRun)
	}
	rounds40, rounds150 := 7, 5
	if n, err := strconv.Atoi(os.Getenv(envRounds)); err == nil && n > 0 {
		rounds40, rounds150 = n, max(1, n*5/7)
	}
	rep := &report{started: time.Now().UTC(), loadStart: loadAvg()}
	work := t.TempDir()
	reg := registrytest.Start(t, registrytest.Options{})
	b := &bed{t: t, reg: reg, work: work, env: childEnv(t, work)}
	b.tools = buildTools(t, work)
	rep.machine = describeMachine(work)
	rep.crane = b.tools.craneVersion

	push := func(ctx context.Context, ref string, idx v1.ImageIndex) error {
		return fixture.Push(ctx, ref, idx, remote.WithTransport(reg.Transport()))
	}
	for _, im := range []struct {
		dst  *image
		repo string
		size int64
	}{{&rep.img40, "openshell/supervisor40", 40 << 20}, {&rep.img150, "openshell/supervisor150", 150 << 20}} {
		var err error
		*im.dst, err = buildAndPush(t.Context(), reg.Host(), reg.URL(), im.repo, im.size, t.TempDir(), push)
		if err != nil {
			t.Fatal(err)
		}
	}
	reg.Sync()
	runtime.GC()
	debug.FreeOSMemory() // the fixtures' blobs are in the registry now

	rep.loadWaited = waitForLoad(t)
	rep.loadMeasure = loadAvg()
	measureStart := time.Now()
	rep.cold40 = b.measure(rounds40, 1, rep.img40.layer, b.coldProcesses(rep.img40)...)
	rep.cold150 = b.measure(rounds150, 1, rep.img150.layer, b.coldProcesses(rep.img150)...)
	rep.in40 = b.measure(rounds40, 1, rep.img40.layer, b.coldInProcess(rep.img40)...)
	warm := b.fillCache(rep.img40)
	rep.lib = b.warmLibrary(rep.img40, warm)
	rep.cli = b.measure(warmRounds, 2, rep.img40.layer, b.warmCLI(rep.img40, warm)...)
	rep.conc = b.concurrent(rep.img40, concurrentProcs, concurrentRounds)
	rep.floors = b.concurrentFloors(rep.img40, warm, concurrentProcs, concurrentRounds)
	rep.took = time.Since(measureStart)
	rep.loadEnd = loadAvg()

	md := rep.markdown()
	t.Log("\n" + md)
	if out := os.Getenv(envOut); out != "" {
		if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// waitForLoad waits, at most ten minutes, until the 1-minute load average
// is at most SUPCTL_BENCH_MAX_LOAD, if set; it returns how long it waited.
func waitForLoad(t *testing.T) time.Duration {
	limit, err := strconv.ParseFloat(os.Getenv(envMaxLoad), 64)
	if err != nil {
		return 0
	}
	start := time.Now()
	for l := load1(); l > limit && time.Since(start) < 10*time.Minute; l = load1() {
		t.Logf("load average %.2f > %.2f: waiting", l, limit)
		select {
		case <-t.Context().Done():
			return time.Since(start)
		case <-time.After(15 * time.Second):
		}
	}
	return time.Since(start).Round(time.Second)
}
