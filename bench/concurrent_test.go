//go:build linux

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// together starts procs supctl processes with args at once and waits for
// them all; wall is from the start to the last exit.
func (b *bed) together(procs int, args ...string) (wall time.Duration, out []sample, errs []error) {
	ctx, cancel := context.WithTimeout(b.t.Context(), runTimeout)
	defer cancel()
	out, errs = make([]sample, procs), make([]error, procs)
	var wg sync.WaitGroup
	release := make(chan struct{})
	for i := range procs {
		cmd := command(ctx, b.env, b.tools.supctl, args...)
		wg.Go(func() {
			<-release
			out[i], errs[i] = runProcess(cmd)
		})
	}
	start := time.Now()
	close(release)
	wg.Wait()
	return time.Since(start), out, errs
}

// concurrent starts procs supctl processes at once, pulling img's tag into
// one empty cache, rounds times.
func (b *bed) concurrent(img image, procs, rounds int) []round {
	b.t.Helper()
	var out []round
	for range rounds {
		dir, err := os.MkdirTemp(b.work, "concurrent-")
		if err != nil {
			b.t.Fatal(err)
		}
		syncFS()
		mark := b.proxy.Mark()
		wall, samples, errs := b.together(procs, "pull", "--json", img.ref, "--platform", platformString(), "--cache-dir", dir)
		rd := round{wall: wall, reqs: countRequests(requestsOf(b.proxy.Since(mark)), img.layer)}
		paths := map[string]bool{}
		for i, s := range samples {
			rd.cpu += s.cpu
			if errs[i] != nil {
				b.t.Errorf("concurrent pull %d: %v", i, errs[i])
				continue
			}
			var res struct {
				Path      string `json:"path"`
				Extracted bool   `json:"extracted"`
			}
			if err := json.Unmarshal([]byte(s.stdout), &res); err != nil {
				b.t.Errorf("concurrent pull %d: %v in %q", i, err, s.stdout)
				continue
			}
			rd.ok++
			paths[res.Path] = true
			if res.Extracted {
				rd.extracted++
				rd.extractor, rd.extractorCPU = s.wall, s.cpu
			} else {
				rd.waiterCPU = append(rd.waiterCPU, s.cpu)
			}
		}
		rd.paths = len(paths)
		for p := range paths {
			if err := checkBinary(p, img, true); err != nil {
				b.t.Error(err)
			}
		}
		if err := removeAll(dir); err != nil {
			b.t.Fatal(err)
		}
		out = append(out, rd)
	}
	return out
}

// floor is the wall time of procs processes started at once that do no
// extraction, rounds times: what starting them costs on this machine.
type floor struct {
	name  string
	walls samples
	cpus  samples // CPU time of all the processes of a round
}

// concurrentFloors measures procs `supctl version` and procs warm pulls of
// img (cached in dir) started at once.
func (b *bed) concurrentFloors(img image, dir string, procs, rounds int) []floor {
	b.t.Helper()
	fs := []floor{
		{name: fmt.Sprintf("%d × `supctl version`", procs)},
		{name: fmt.Sprintf("%d × `supctl pull TAG`, cached (warm)", procs)},
	}
	args := [][]string{{"version"}, {"pull", img.ref, "--platform", platformString(), "--cache-dir", dir}}
	for range rounds {
		for i := range fs {
			syncFS()
			wall, out, errs := b.together(procs, args[i]...)
			var cpu time.Duration
			for j, err := range errs {
				if err != nil {
					b.t.Fatal(err)
				}
				cpu += out[j].cpu
			}
			fs[i].walls = append(fs[i].walls, wall)
			fs[i].cpus = append(fs[i].cpus, cpu)
		}
	}
	return fs
}
