//go:build linux

package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// Environment variables of TestReport.
const (
	envRun     = "SUPCTL_BENCH"           // "1" runs the report
	envOut     = "SUPCTL_BENCH_OUT"       // file the markdown report is written to
	envRounds  = "SUPCTL_BENCH_ROUNDS"    // measured cold runs per contender (default 9)
	envSizes   = "SUPCTL_BENCH_SIZES"     // binary sizes in MiB, comma-separated (default "40,150")
	envWAN     = "SUPCTL_BENCH_WAN_SIZES" // sizes measured across the emulated WAN (default "40"; "0": none)
	envMaxLoad = "SUPCTL_BENCH_MAX_LOAD"  // wait (up to 10 min) until the 1-minute load average is at most this
	envOnly    = "SUPCTL_BENCH_ONLY"      // the scenarios measured, comma-separated (default: all of scenarioNames)
)

// The report's scenarios, as SUPCTL_BENCH_ONLY names them.
const (
	scCold       = "cold"       // cold pulls on loopback, separate processes
	scInProcess  = "inprocess"  // the cold library call and the limit in this process
	scWarm       = "warm"       // warm library calls and CLI pulls, a stale tag
	scConcurrent = "concurrent" // 16 processes on one uncached ref, and their floors (with the first image's cold pulls, their reference)
	scWAN        = "wan"        // cold pulls across the emulated WAN
	scToken      = "token"      // cold pulls from a registry behind a token realm, on loopback and (with root) across the WAN
)

var scenarioNames = []string{scCold, scInProcess, scWarm, scConcurrent, scWAN, scToken}

// scenarios parses SUPCTL_BENCH_ONLY: the set of scenarios to measure, all
// when s is empty. An unknown name is an error.
func scenarios(s string) (map[string]bool, error) {
	on := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		for _, n := range scenarioNames {
			on[n] = true
		}
		return on, nil
	}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(scenarioNames, f) {
			return nil, fmt.Errorf("%s: unknown scenario %q (known: %s)", envOnly, f, strings.Join(scenarioNames, ", "))
		}
		on[f] = true
	}
	return on, nil
}

// The report's scenario sizes.
const (
	concurrentProcs  = 16
	concurrentRounds = 3
	warmRounds       = 15
)

// coldCase is one image measured cold, on loopback or across the WAN.
type coldCase struct {
	img     image
	profile string // "" on loopback
	results []*result
}

// TestReport measures supctl against the targets of issue 17 (and SPEC §5)
// on a real registry and prints the markdown report of BENCHMARKS.md; see
// the package documentation. It reports targets met or not; it fails only
// when a pull fails or gives wrong bytes, never on a timing.
func TestReport(t *testing.T) {
	if os.Getenv(envRun) != "1" {
		t.Skipf("the benchmark report runs only with %s=1 (it takes a few minutes and needs docker-registry)", envRun)
	}
	rounds := 9
	if n, err := strconv.Atoi(os.Getenv(envRounds)); err == nil && n > 0 {
		rounds = n
	}
	sizes, wanSizes := sizesFrom(os.Getenv(envSizes), "40,150"), sizesFrom(os.Getenv(envWAN), "40")
	on, err := scenarios(os.Getenv(envOnly))
	if err != nil {
		t.Fatal(err)
	}
	rep := &report{started: time.Now().UTC(), loadStart: loadAvg(), rounds: rounds, on: on}
	work := t.TempDir()
	reg := registrytest.Start(t, registrytest.Options{})
	b := &bed{t: t, reg: reg, work: work, env: childEnv(t, work)}
	b.tools = buildTools(t, work)
	rep.machine = describeMachine(work)
	rep.tools = b.tools.versions

	push := func(ctx context.Context, ref string, idx v1.ImageIndex) error {
		return fixture.Push(ctx, ref, idx, remote.WithTransport(reg.Transport()))
	}
	var imgs []image
	var tb *tokenBed
	for _, size := range sizes {
		for _, content := range []string{contentRealistic, contentRandom} {
			repo := fmt.Sprintf("openshell/supervisor%d-%s", size>>20, content)
			var im image
			var err error
			if content == contentRandom {
				im, err = buildAndPush(t.Context(), reg.Host(), reg.URL(), repo, size, t.TempDir(), push)
			} else {
				var idx v1.ImageIndex
				var bin []byte
				if idx, bin, err = buildRealistic(t.Context(), size, t.TempDir()); err == nil {
					im, err = pushIndex(t.Context(), reg.Host(), reg.URL(), repo, idx, bin, push)
					im.content = contentRealistic
					if err == nil && tb == nil && on[scToken] {
						tb = newTokenBed(t, repo, idx, bin, contentRealistic)
					}
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			imgs = append(imgs, im)
		}
	}
	rep.imgs = imgs
	reg.Sync()
	runtime.GC()
	debug.FreeOSMemory() // the fixtures' blobs are in the registry now

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.token = tb
	b.proxy = newCountProxy(ln, reg.Host())
	defer b.proxy.Close()
	local := func(im image) image { return im.via(reg.Host(), b.proxy.Host()) }

	rep.loadWaited = waitForLoad(t)
	rep.loadMeasure = loadAvg()
	measureStart := time.Now()
	for i, im := range imgs {
		// The concurrent table's reference is the cold pull of the first
		// image: measured alone when cold pulls were not asked for.
		if !on[scCold] && (!on[scConcurrent] || i > 0) {
			continue
		}
		im := local(im)
		rep.cold = append(rep.cold, coldCase{img: im, results: b.measure(rounds, 1, im.layer, b.coldProcesses(im, "", false)...)})
	}
	img40 := local(imgs[0])
	if on[scInProcess] {
		rep.in40 = b.measure(rounds, 1, img40.layer, b.coldInProcess(img40)...)
	}
	if on[scWarm] || on[scConcurrent] {
		warm := b.fillCache(img40)
		if on[scWarm] {
			rep.lib = b.warmLibrary(img40, warm)
			rep.cli = b.measure(warmRounds, 2, img40.layer, b.warmCLI(img40, warm)...)
		}
		if on[scConcurrent] {
			rep.conc = b.concurrent(img40, concurrentProcs, concurrentRounds)
			rep.floors = b.concurrentFloors(img40, warm, concurrentProcs, concurrentRounds)
			rep.waiter = b.waiterCost(img40, warm)
		}
	}
	if tb != nil {
		rep.token = append(rep.token, b.measureToken(tb, rounds))
	}
	if !on[scWAN] {
		wanSizes = nil
	}
	var wanToken []coldCase
	rep.wan, wanToken, rep.wanNote = b.measureWAN(imgs, wanSizes, rounds)
	if tb != nil && len(wanToken) == 0 {
		rep.tokenWANNote = rep.wanNote
	}
	if !on[scWAN] {
		rep.wanNote = "not measured (not among " + envOnly + ")"
	}
	rep.token = append(rep.token, wanToken...)
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

// sizesFrom parses a comma-separated list of sizes in MiB.
func sizesFrom(s, def string) []int64 {
	if s == "" {
		s = def
	}
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, int64(n)<<20)
		}
	}
	return out
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
