package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/proctest"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// command is supctl, run by this test binary, on the cache in dir.
func command(t *testing.T, ctx context.Context, dir string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"--cache-dir", dir}, args...)...)
	// A race-enabled binary sleeps a second before exiting, unless told not to.
	cmd.Env = append(os.Environ(), asSupctl+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	return cmd
}

// A proc is supctl run as a separate process: the test binary, which
// doubles as supctl.
type proc struct {
	args           []string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	code           int
}

func start(t *testing.T, ctx context.Context, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{args: args, cmd: command(t, ctx, dir, args...)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wait waits for p and returns its exit code, -1 if killed by a signal.
func (p *proc) wait() int {
	p.cmd.Wait()
	p.code = p.cmd.ProcessState.ExitCode()
	return p.code
}

// command is the name of p's command, such as "pull".
func (p *proc) command() string {
	for _, a := range p.args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func (p *proc) String() string {
	return fmt.Sprintf("supctl %s: exit %d, stdout %q, stderr %q", strings.Join(p.args, " "), p.code, p.stdout.String(), p.stderr.String())
}

// runProc runs supctl as a process with a timeout: a lock left stuck by a
// killed process shows as a timeout.
func runProc(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := start(t, ctx, dir, args...)
	p.wait()
	if ctx.Err() != nil {
		t.Fatalf("%v: timed out (a stuck lock?)", p)
	}
	return p
}

// TestCrashStorm kills supctl pull with SIGKILL at points spread over its
// whole run (before, during and after the download, the extraction, the
// rename and the record writes), and checks after each kill that no path
// it printed is partial, that verify finds nothing wrong and that the next
// pull succeeds with the exact binary.
func TestCrashStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("kills dozens of processes")
	}
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	b, tag := pushFixture(t, reg, "sup:dev", fixture.Options{Size: 16 << 20, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	want, err := os.ReadFile(b.Binary("linux/amd64"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := b.Index.Digest()
	byDigest := strings.TrimSuffix(tag, ":dev") + "@" + id.String()
	refs := filepath.Join(dir, "refs")

	exact := func(path, what string) {
		t.Helper()
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %s holds %d bytes (%v), not the binary's %d", what, path, len(got), err, len(want))
		}
	}
	// reset removes the entry, as gc does, so that the next pull extracts.
	reset := func() {
		t.Helper()
		names, _ := filepath.Glob(filepath.Join(refs, "*.json"))
		for _, n := range names {
			os.Remove(n)
		}
		if p := runProc(t, dir, "gc", "--max-unused", "0"); p.code != 0 || !strings.Contains(p.stdout.String(), "removed 1 entry") {
			t.Fatalf("reset: %v", p)
		}
	}

	// One whole run, to spread the kills over.
	t1 := time.Now()
	p := runProc(t, dir, "pull", tag, "--platform", "linux/amd64")
	whole := time.Since(t1)
	if p.code != 0 {
		t.Fatal(p)
	}
	path := strings.TrimSpace(p.stdout.String())
	exact(path, "a whole pull")
	reset()

	const n = 40
	rng := rand.New(rand.NewPCG(stormSeed(t), 1))
	var printed, committed, leftovers int
	for i := range n {
		ref := tag
		if i%2 == 1 {
			ref = byDigest
		}
		// A fraction of the whole run, so that a seed replays the same
		// points of the run on a faster or slower machine.
		delay := time.Duration(rng.Float64() * 1.2 * float64(whole))
		p := start(t, context.Background(), dir, "pull", ref, "--platform", "linux/amd64")
		time.Sleep(delay)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait()

		if out := strings.TrimSpace(p.stdout.String()); out != "" {
			printed++
			exact(out, fmt.Sprintf("kill %d after %v: printed", i, delay))
		}
		if _, err := os.Stat(path); err == nil {
			committed++
			exact(path, fmt.Sprintf("kill %d after %v: committed", i, delay))
		}
		tmp, _ := filepath.Glob(filepath.Join(dir, "entries", ".tmp-*"))
		if len(tmp) > 0 {
			leftovers++
		}
		// What a kill leaves is a leftover, listed by verify, never damage.
		v := runProc(t, dir, "--json", "verify")
		var vr cache.VerifyReport
		if v.code != 0 || json.Unmarshal(v.stdout.Bytes(), &vr) != nil {
			t.Fatalf("kill %d after %v: %v", i, delay, v)
		}
		if len(vr.Leftovers) != len(tmp) {
			t.Errorf("kill %d after %v: verify listed leftovers %+v, the cache has %v", i, delay, vr.Leftovers, tmp)
		}
		next := runProc(t, dir, "pull", ref, "--platform", "linux/amd64")
		if next.code != 0 || strings.TrimSpace(next.stdout.String()) != path {
			t.Fatalf("kill %d after %v: the next pull: %v", i, delay, next)
		}
		exact(path, fmt.Sprintf("kill %d after %v: the next pull", i, delay))
		reset()
	}
	t.Logf("one pull took %v; %d kills over 0..%v: %d had printed the path, %d left a committed entry, %d left a temporary directory",
		whole, n, whole*6/5, printed, committed, leftovers)
	if printed == n || committed+leftovers == 0 {
		t.Errorf("the kills did not cover the run: %d of %d printed, %d committed, %d left temporary directories", printed, n, committed, leftovers)
	}
}

// stormSeedEnv replays a crash storm: set it to the seed a run logged.
const stormSeedEnv = "SUPCTL_STORM_SEED"

// stormSeed returns the seed of a crash storm's kill times, from
// stormSeedEnv or the clock, and logs it.
func stormSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(stormSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: want a seed a run logged, a decimal number", stormSeedEnv, s)
		}
	}
	t.Logf("kill times from seed %d; replay with %s=%d", seed, stormSeedEnv, seed)
	return seed
}

// TestContention runs 16 pulls of one uncached ref at once, expecting one
// download of the binary's layer; then rounds of pull, gc, verify and ls
// processes at once on one cache.
func TestContention(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dozens of processes")
	}
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	big, bigTag := pushFixture(t, reg, "big:dev", fixture.Options{Size: 16 << 20, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	img := big.Images["linux/amd64"]

	mark := reg.Mark()
	outs := proctest.Together(16, func(int) *exec.Cmd {
		return command(t, context.Background(), dir, "--json", "pull", bigTag, "--platform", "linux/amd64")
	})
	reg.Sync()
	path := proctest.OnePull(t, outs, registrytest.CountBlobGets(reg.Since(mark), img.Layers[img.BinaryLayer].String()))
	sameFile(t, path, img.Binary)

	// Rounds of everything at once. Entries pulled by digest have no ref
	// record, so the collections remove them while others pull them.
	var images []*fixture.Built
	var refs, tags []string
	for _, tag := range []string{"a:dev", "b:dev"} {
		b, ref := pushFixture(t, reg, tag, fixture.Options{})
		id, _ := b.Index.Digest()
		images = append(images, b, b)
		refs = append(refs, ref, strings.TrimSuffix(ref, ":dev")+"@"+id.String())
		tags = append(tags, ref)
	}
	const rounds = 4
	counts := map[string]int{}
	for round := range rounds {
		var all []*proc
		var pulls []*proc
		var pulled []*fixture.Built
		var platforms []string
		for i, ref := range refs {
			for _, pl := range []string{"linux/amd64", "linux/arm64"} {
				p := start(t, context.Background(), dir, "pull", ref, "--platform", pl)
				pulls, pulled, platforms = append(pulls, p), append(pulled, images[i]), append(platforms, pl)
				all = append(all, p)
			}
		}
		for _, args := range [][]string{
			{"gc", "--max-unused", "0"}, {"gc", "--max-unused", "0"},
			{"verify"}, {"verify", "--repair"}, {"--json", "verify"},
			{"ls"}, {"--json", "ls"},
		} {
			all = append(all, start(t, context.Background(), dir, args...))
		}
		var wg sync.WaitGroup
		for _, p := range all {
			wg.Add(1)
			go func() { defer wg.Done(); p.wait() }()
		}
		wg.Wait()
		for _, p := range all {
			counts[p.command()]++
			if p.code != 0 {
				t.Errorf("round %d: %v", round, p)
			}
		}
		for i, p := range pulls {
			if got := strings.TrimSpace(p.stdout.String()); got != "" {
				if _, err := os.Stat(got); err == nil { // else collected since: allowed
					sameFile(t, got, pulled[i].Binary(platforms[i]))
				}
			}
		}
	}
	if v := runProc(t, dir, "verify"); v.code != 0 {
		t.Fatalf("after the storm: %v", v)
	}
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range append(tags, bigTag) {
		if _, err := c.Records().Ref(tag); err != nil {
			t.Errorf("the record of %s is lost: %v", tag, err)
		}
	}
	t.Logf("%d rounds of %d processes each: %v", rounds, len(refs)*2+7, counts)
}
