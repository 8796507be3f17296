package resolver_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func TestHoldKeepsTheEntryFromGC(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, ref := e.pushUnprotected(t)
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()))
	res, err := r.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	release, err := r.Hold(ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.cache.GC(ctx, cache.GCPolicy{})
	if err != nil || len(rep.Removed) != 0 {
		t.Fatalf("gc while held: removed %v, %v", rep.Removed, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	rep, err = e.cache.GC(ctx, cache.GCPolicy{})
	if err != nil || len(rep.Removed) != 1 {
		t.Fatalf("gc after release: removed %v, %v; want the entry", rep.Removed, err)
	}
	if _, err := r.Hold(ctx, res); !errors.Is(err, resolver.ErrNotCached) {
		t.Fatalf("hold of a collected entry: %v, want ErrNotCached", err)
	}
	if _, err := r.Hold(ctx, &resolver.Result{ResolvedFrom: resolver.FromFile, Path: res.Path}); err == nil {
		t.Fatal("a local file was held")
	}
}

// gcLoopDirEnv names the cache a TestGCLoopProcess subprocess collects.
const gcLoopDirEnv = "SUPCTL_TEST_GC_LOOP_DIR"

// TestGCLoopProcess is not a test: started by TestResolveAndHoldUnderGC
// with gcLoopDirEnv set, it collects that cache with the strictest policy
// until its standard input closes.
func TestGCLoopProcess(t *testing.T) {
	dir := os.Getenv(gcLoopDirEnv)
	if dir == "" {
		t.Skip("a helper process of TestResolveAndHoldUnderGC")
	}
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	fmt.Println("collecting")
	for i := 0; i < 100000; i++ {
		select {
		case <-done:
			return
		default:
		}
		if _, err := c.GC(context.Background(), cache.GCPolicy{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResolveAndHoldUnderGC resolves and holds an entry that nothing else
// protects, again and again, while goroutines and another process collect
// the cache in a loop with a policy that removes every entry not in use: a
// held result is never collected, and is sound for as long as it is held.
func TestResolveAndHoldUnderGC(t *testing.T) {
	e := newEnv(t)
	b, ref := e.pushUnprotected(t)
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()))
	holdUnderGC(t, e, r, ref, b.Binary(fixture.HostPlatform()), 20)
}

// holdUnderGC is TestResolveAndHoldUnderGC of ref with r, for the given
// number of rounds: the held binary must have the bytes of the file want,
// when want is not "".
func holdUnderGC(t *testing.T, e *env, r *resolver.Resolver, ref, want string, rounds int) {
	t.Helper()
	ctx := context.Background()
	proc := exec.Command(os.Args[0], "-test.run=^TestGCLoopProcess$", "-test.count=1")
	proc.Env = append(os.Environ(), gcLoopDirEnv+"="+e.cache.Dir())
	stdin, err := proc.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := proc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	proc.Stderr = &stderr
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	first, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || first != "collecting\n" {
		t.Fatalf("gc process: %q, %v; stderr:\n%s", first, err, stderr.String())
	}

	var passes atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	gcErrs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.cache.GC(ctx, cache.GCPolicy{}); err != nil {
					gcErrs <- err
					return
				}
				passes.Add(1)
			}
		}()
	}

	extracted := 0
	var last resolver.Result
	for i := range rounds {
		h, err := r.ResolveAndHold(ctx, ref)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if h.Extracted {
			extracted++
		}
		// Let the collectors make full passes over the held entry.
		for start := passes.Load(); passes.Load() < start+3; {
			select {
			case err := <-gcErrs:
				t.Fatalf("gc: %v", err)
			default:
				runtime.Gosched()
			}
		}
		if got := sha256File(t, h.Path); got != h.BinarySHA256 {
			t.Fatalf("round %d: the held binary %s has sha256 %s, the result says %s", i, h.Path, got, h.BinarySHA256)
		}
		if want != "" {
			sameBytes(t, h.Path, want)
		}
		last = h.Result
		if err := h.Release(); err != nil {
			t.Fatal(err)
		}
		if err := h.Release(); err != nil { // twice is fine
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	stdin.Close()
	if err := proc.Wait(); err != nil {
		t.Fatalf("gc process: %v\n%s", err, stderr.String())
	}
	// Released, the entry goes with the next collection.
	if _, err := e.cache.GC(ctx, cache.GCPolicy{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Hold(ctx, &last); !errors.Is(err, resolver.ErrNotCached) {
		t.Fatalf("hold after release and gc: %v, want ErrNotCached", err)
	}
	t.Logf("%d rounds, %d extractions, %d gc passes in this process", rounds, extracted, passes.Load())
	if extracted < 2 {
		t.Errorf("%d of %d rounds extracted the binary: the collectors never removed a released entry", extracted, rounds)
	}
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatalf("the held binary: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A miss under PullNever is the resolve's answer, not an entry collected
// before it was held: ResolveAndHold returns it at once.
func TestResolveAndHoldMiss(t *testing.T) {
	e := newEnv(t)
	_, ref := e.pushUnprotected(t)
	var logs strings.Builder
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()), resolver.WithPullPolicy(resolver.PullNever),
		resolver.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if _, err := r.ResolveAndHold(context.Background(), ref); !errors.Is(err, resolver.ErrNotCached) {
		t.Fatalf("ResolveAndHold of an uncached ref under PullNever: %v, want ErrNotCached", err)
	}
	if strings.Contains(logs.String(), "resolving again") {
		t.Errorf("a miss was resolved again:\n%s", logs.String())
	}
}
