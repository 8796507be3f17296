package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestKillStorm runs a few hundred supctl processes on one cache, a few
// at a time, mixing pull (by tag and by digest, both platforms), gc, verify
// --repair and pin, and kills about half of them with SIGKILL at a random
// point. Every path a pull prints is hashed as soon as it is printed and
// must hold the sha256 printed with it, which must be the image's binary;
// every run that is not killed succeeds; no lock is left stuck; and at
// the end a repair leaves a cache that verify finds sound.
func TestKillStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hundreds of processes")
	}
	rng := rand.New(rand.NewPCG(stormSeed(t), 47))

	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	platforms := []string{"linux/amd64", "linux/arm64"}
	type image struct {
		refs []string
		sums map[string]string // platform -> binary sha256
	}
	var images []image
	for _, tag := range []string{"storm-a:dev", "storm-b:dev"} {
		b, ref := pushFixture(t, reg, tag, fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}})
		id, _ := b.Index.Digest()
		im := image{refs: []string{ref, strings.TrimSuffix(ref, ":dev") + "@" + id.String()}, sums: map[string]string{}}
		for _, p := range platforms {
			data, err := os.ReadFile(b.Binary(p))
			if err != nil {
				t.Fatal(err)
			}
			s := sha256.Sum256(data)
			im.sums[p] = hex.EncodeToString(s[:])
		}
		images = append(images, im)
	}

	// One whole pull, to spread the kills over.
	t1 := time.Now()
	if p := runProc(t, dir, "pull", images[0].refs[0], "--platform", "linux/amd64"); p.code != 0 {
		t.Fatal(p)
	}
	whole := time.Since(t1)

	const runs, parallel = 300, 4
	type result struct {
		args    []string
		killed  bool
		code    int
		stderr  string
		hashErr string // a printed path that did not hold the printed sha256
		printed bool
		stdout  string // of a run that is not a pull
	}
	results := make(chan result, runs)
	type job struct {
		args  []string
		want  string // the sha256 a pull must print
		kill  time.Duration
		killp bool
	}
	jobs := make([]job, runs)
	for i := range jobs {
		im := images[rng.IntN(len(images))]
		ref := im.refs[rng.IntN(len(im.refs))]
		pl := platforms[rng.IntN(len(platforms))]
		var j job
		switch n := rng.IntN(10); {
		case n < 6:
			j.args, j.want = []string{"--json", "pull", ref, "--platform", pl}, im.sums[pl]
		case n < 7:
			j.args = []string{"gc", "--max-unused", "0"}
		case n < 8:
			j.args = []string{"--json", "verify", "--repair"}
		default:
			j.args = []string{"pin", im.refs[0], "--platform", pl}
		}
		j.killp = rng.IntN(2) == 0
		// Half the kills land early (a warm pull takes a few milliseconds),
		// half anywhere in a cold pull.
		if rng.IntN(2) == 0 {
			j.kill = time.Duration(rng.Int64N(int64(8 * time.Millisecond)))
		} else {
			j.kill = time.Duration(rng.Int64N(int64(whole)*3/2 + 1))
		}
		jobs[i] = j
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(j job) result {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, self, append([]string{"--cache-dir", dir}, j.args...)...)
		cmd.Env = append(os.Environ(), asSupctl+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Error(err)
			return result{}
		}
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return result{}
		}
		r := result{args: j.args}
		// Hash what a pull prints as soon as it is printed.
		read := make(chan struct{})
		go func() {
			defer close(read)
			if j.want == "" {
				b, _ := io.ReadAll(out)
				r.stdout = string(b)
				return
			}
			var res struct {
				Path         string `json:"path"`
				BinarySHA256 string `json:"binary_sha256"`
			}
			if json.NewDecoder(out).Decode(&res) != nil || res.Path == "" {
				io.Copy(io.Discard, out)
				return
			}
			r.printed = true
			data, err := os.ReadFile(res.Path)
			s := sha256.Sum256(data)
			switch got := hex.EncodeToString(s[:]); {
			case res.BinarySHA256 != j.want:
				r.hashErr = fmt.Sprintf("printed sha256 %s, the image's binary is %s", res.BinarySHA256, j.want)
			case err == nil && got != res.BinarySHA256:
				r.hashErr = fmt.Sprintf("%s holds sha256 %s, printed %s", res.Path, got, res.BinarySHA256)
			case err != nil && !os.IsNotExist(err):
				r.hashErr = fmt.Sprintf("%s: %v", res.Path, err) // a collection may remove it: not an error
			}
			io.Copy(io.Discard, out)
		}()
		if j.killp {
			time.Sleep(j.kill)
			r.killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		}
		<-read
		cmd.Wait()
		if ctx.Err() != nil {
			r.stderr = "timed out (a stuck lock?)"
			r.code = -2
			return r
		}
		r.code = cmd.ProcessState.ExitCode()
		if r.code >= 0 {
			r.killed = false // it had finished
		}
		r.stderr = stderr.String()
		return r
	}

	var wg sync.WaitGroup
	next := make(chan job)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				results <- run(j)
			}
		}()
	}
	start := time.Now()
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	close(results)

	counts := map[string]int{}
	killed, printed := 0, 0
	for r := range results {
		name := r.args[0]
		if name == "--json" {
			name = r.args[1]
		}
		counts[name]++
		if r.hashErr != "" {
			t.Errorf("supctl %s: %s", strings.Join(r.args, " "), r.hashErr)
		}
		if r.printed {
			printed++
		}
		switch {
		case r.code == -2:
			t.Errorf("supctl %s: %s", strings.Join(r.args, " "), r.stderr)
		case r.killed:
			killed++
		case r.code != 0:
			t.Errorf("supctl %s: exit %d: %s", strings.Join(r.args, " "), r.code, r.stderr)
		}
	}
	t.Logf("%d runs (%v) in %v, one pull %v: %d killed, %d paths printed and hashed", runs, counts, time.Since(start).Round(time.Millisecond), whole, killed, printed)
	if killed == 0 || printed == 0 {
		t.Errorf("the storm did not cover kills and prints: %d killed, %d printed", killed, printed)
	}

	// What the kills left is leftovers, not damage: verify succeeds before
	// any repair. After a repair the cache is sound, and every image pulls
	// whole.
	if v := runProc(t, dir, "--json", "verify"); v.code != 0 {
		t.Fatalf("after the storm: %v", v)
	}
	runProc(t, dir, "verify", "--repair")
	if v := runProc(t, dir, "--json", "verify"); v.code != 0 {
		t.Fatalf("after the storm and a repair: %v", v)
	}
	for _, im := range images {
		for _, pl := range platforms {
			p := runProc(t, dir, "--json", "pull", im.refs[1], "--platform", pl)
			var res struct {
				Path         string `json:"path"`
				BinarySHA256 string `json:"binary_sha256"`
			}
			if p.code != 0 || json.Unmarshal(p.stdout.Bytes(), &res) != nil || res.BinarySHA256 != im.sums[pl] {
				t.Fatalf("final pull: %v", p)
			}
			data, _ := os.ReadFile(res.Path)
			if s := sha256.Sum256(data); hex.EncodeToString(s[:]) != im.sums[pl] {
				t.Fatalf("final pull: %s is not the binary", res.Path)
			}
		}
	}
}
