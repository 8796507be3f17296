//go:build linux

package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkBinary checks that p holds img's binary: its size, and with full its
// bytes.
func checkBinary(p string, img image, full bool) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.Size() != img.size {
		return fmt.Errorf("%s has %d bytes, want %d", p, fi.Size(), img.size)
	}
	if !full {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != img.sha256 {
		return fmt.Errorf("%s has sha256 %s, want %s", p, got, img.sha256)
	}
	return nil
}

// Names of the contenders in the tables.
const (
	nameBlob    = "blob alone (`curl`, known digest)"
	nameLimit   = "limit (`limitpull`)"
	nameIgzip   = "limit with ISA-L `igzip`"
	nameRegctl  = "`regctl image get-file`"
	nameCrane   = "`crane export - \\| tar -x`"
	nameOras    = "oras: `manifest fetch` + `blob fetch \\| tar -xz`"
	nameSupctl  = "`supctl pull`"
	nameLibrary = "library `Resolve`"
	nameLimitIn = "limit (`bench.Limit`)"
)

// coldProcesses are the cold pulls of img as separate processes, in the
// network namespace netns ("": this process's): the limit, the limit with
// igzip (if installed), regctl, crane export piped into tar, the oras
// commands of a script that fetches the platform's manifest and then the
// top layer, and supctl. With wan, the blob alone (curl, to /dev/null)
// comes first and the igzip limit is left out (the link, not the inflater,
// is the bound there).
func (b *bed) coldProcesses(img image, netns string, wan bool) []contender {
	binary := func(dir string, _ sample, full bool) error {
		return checkBinary(filepath.Join(dir, "openshell-sandbox"), img, full)
	}
	launch := func(name string, args ...string) func(ctx context.Context, dir string) (sample, error) {
		return func(ctx context.Context, dir string) (sample, error) {
			args := slices.Clone(args)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "{DIR}", dir)
			}
			return b.launchIn(ctx, netns, name, args...)
		}
	}
	out := filepath.Join("{DIR}", "openshell-sandbox")
	host, repo, _ := strings.Cut(img.ref, "/")
	repo, _, _ = strings.Cut(repo, ":")
	var cs []contender
	if wan {
		cs = append(cs, contender{name: nameBlob, run: launch("curl", "-sSf", "-o", "/dev/null", img.blobURL)})
	}
	cs = append(cs, contender{name: nameLimit, run: launch(b.tools.limitpull, img.blobURL, binaryName, out), check: binary})
	if b.tools.igzip != "" && !wan {
		cs = append(cs, contender{name: nameIgzip, run: launch(b.tools.limitpull, "-inflater", b.tools.igzip, img.blobURL, binaryName, out), check: binary})
	}
	insecure := []string{}
	if wan {
		insecure = []string{"--insecure"}
	}
	cs = append(cs, contender{
		name:  nameRegctl,
		run:   launch(b.tools.regctl, "--host", "reg="+host+",tls=disabled", "image", "get-file", "--platform", platformString(), img.ref, binaryName, out),
		check: binary,
	}, contender{
		// sh waits for both, so peakrss sees the larger peak RSS of the
		// two and their CPU time.
		name: nameCrane,
		run: launch("sh", "-c", `"$0" export $4 --platform "$1" "$2" - | tar -x -C "$3"`,
			b.tools.crane, platformString(), img.ref, "{DIR}", strings.Join(insecure, " ")),
		check: binary,
	}, contender{
		name: nameOras,
		run: launch("sh", "-c", `set -e; d=$("$0" manifest fetch --plain-http --platform "$1" --format go-template --template '{{range .content.layers}}{{.digest}}{{"\n"}}{{end}}' "$2" | tail -n 1)
"$0" blob fetch --plain-http --output - "$3@$d" | tar -xz -C "$4"`, b.tools.oras, platformString(), img.ref, host+"/"+repo, "{DIR}"),
		check: binary,
	}, contender{
		name: nameSupctl,
		run:  launch(b.tools.supctl, append([]string{"pull", img.ref, "--platform", platformString(), "--cache-dir", "{DIR}"}, insecure...)...),
		check: func(dir string, s sample, full bool) error {
			if !strings.HasPrefix(s.stdout, dir+string(filepath.Separator)) {
				return fmt.Errorf("printed %q, not a path in its cache", s.stdout)
			}
			return checkBinary(s.stdout, img, full)
		},
	})
	return cs
}

// timed measures run as a run of a contender in this process: its wall
// time and the CPU time of this process and of the children it waited for
// meanwhile (supctl's version probe runs the binary).
func timed(run coldRun) func(ctx context.Context, dir string) (sample, error) {
	return func(ctx context.Context, dir string) (sample, error) {
		cpu0 := cpuTime()
		start := time.Now()
		err := run(ctx, dir)
		return sample{wall: time.Since(start), cpu: cpuTime() - cpu0}, err
	}
}

// cpuTime is the user and system CPU time of this process and of its
// waited-for children so far.
func cpuTime() time.Duration {
	var t time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			t += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return t
}

// coldInProcess are the cold pulls of img in this process: the limit and
// the library.
func (b *bed) coldInProcess(img image) []contender {
	client := &http.Client{Transport: http.DefaultTransport} // the resolver's default transport too
	return []contender{
		{name: nameLimitIn, run: timed(coldLimit(img, client))},
		{name: nameLibrary, run: timed(coldLibrary(img))},
	}
}

// warmCLI are supctl processes on the cache in dir, which holds img: the
// version command (process start and exit, nothing else), warm pulls of
// the tag and of the digest, and a pull of the tag as if it were stale.
func (b *bed) warmCLI(img image, dir string) []contender {
	pull := func(args ...string) func(ctx context.Context, _ string) (sample, error) {
		return func(ctx context.Context, _ string) (sample, error) {
			args := append([]string{"pull", "--platform", platformString(), "--cache-dir", dir}, args...)
			return b.launch(ctx, b.tools.supctl, args...)
		}
	}
	printed := func(_ string, s sample, full bool) error { return checkBinary(s.stdout, img, full) }
	return []contender{{
		name: "`supctl version`",
		run: func(ctx context.Context, _ string) (sample, error) {
			return b.launch(ctx, b.tools.supctl, "version")
		},
	}, {
		name:  "`supctl pull TAG` (warm, fresh tag)",
		run:   pull(img.ref),
		check: printed,
	}, {
		name:  "`supctl pull DIGEST` (warm)",
		run:   pull(img.digestRef),
		check: printed,
	}, {
		name:  "`supctl pull TAG --max-age 0s` (stale tag, unchanged)",
		run:   pull(img.ref, "--max-age", "0s"),
		check: printed,
	}}
}

// fillCache pulls img into a new cache directory with supctl and returns
// the directory.
func (b *bed) fillCache(img image) string {
	b.t.Helper()
	dir, err := os.MkdirTemp(b.work, "warm-")
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.t.Context(), runTimeout)
	defer cancel()
	s, err := runProcess(command(ctx, b.env, b.tools.supctl, "pull", img.ref, "--platform", platformString(), "--cache-dir", dir))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := checkBinary(s.stdout, img, true); err != nil {
		b.t.Fatal(err)
	}
	return dir
}

// libWarm is a warm library call measured by testing.Benchmark.
type libWarm struct {
	name     string
	nsPerOp  int64
	allocs   int64
	n        int
	requests int
}

// warmLibrary benchmarks Resolve of the tag and of the digest of img on the
// cache in dir, which holds it, counting registry requests.
func (b *bed) warmLibrary(img image, dir string) []libWarm {
	b.t.Helper()
	r, err := newResolver(dir)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []libWarm
	for _, c := range []struct{ name, ref string }{
		{"`Resolve(TAG)`, fresh tag", img.ref},
		{"`Resolve(DIGEST)`", img.digestRef},
	} {
		mark := b.reg.Mark()
		br := testing.Benchmark(func(tb *testing.B) { warmResolve(tb, r, c.ref) })
		b.reg.Sync()
		if br.N == 0 {
			b.t.Fatalf("benchmark of %s failed", c.name)
		}
		out = append(out, libWarm{name: c.name, nsPerOp: br.NsPerOp(), allocs: br.AllocsPerOp(), n: br.N,
			requests: len(b.reg.Since(mark))})
	}
	return out
}

// round is one round of concurrent pulls.
type round struct {
	wall         time.Duration // from the start to the last exit
	extractor    time.Duration // wall time of the process that extracted
	extractorCPU time.Duration // and its CPU time
	waiterCPU    samples       // CPU time of each of the others
	cpu          time.Duration // CPU time of all the processes
	ok           int           // processes that exited 0
	paths        int           // distinct paths printed
	extracted    int           // processes that say they extracted the binary
	reqs         requests
}
