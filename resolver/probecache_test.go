package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

// countingProber counts the probes of the prober it wraps, keeping its
// method and environment.
type countingProber struct {
	p    supervisor.Prober
	runs atomic.Int32
}

func (c *countingProber) Probe(ctx context.Context, b supervisor.Binary) (supervisor.Version, error) {
	c.runs.Add(1)
	return c.p.Probe(ctx, b)
}
func (c *countingProber) Method() supervisor.Method { return supervisor.MethodOf(c.p) }
func (c *countingProber) ProbeEnv(b supervisor.Binary) string {
	return supervisor.ProbeEnv(c.p, b)
}

// hungEngine is a container engine in which every run hangs to its
// timeout; ProbeEnv is the endpoint it says it is.
type hungEngine struct {
	mu  sync.Mutex
	env string
}

func (h *hungEngine) RunBinary(ctx context.Context, _ string, _ v1.Platform, _ ...string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (h *hungEngine) ProbeEnv() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.env
}

func (h *hungEngine) set(env string) {
	h.mu.Lock()
	h.env = env
	h.mu.Unlock()
}

// cannotRun stands in for the host run on a host that cannot run the
// binary at all.
type cannotRun struct{}

func (cannotRun) Probe(context.Context, supervisor.Binary) (supervisor.Version, error) {
	return supervisor.Version{}, fmt.Errorf("cannot run it here: %w", supervisor.ErrNotApplicable)
}
func (cannotRun) Method() supervisor.Method { return supervisor.MethodRun }

// TestHangingVersionCostsOnce: a binary whose --version never ends costs
// one probe timeout on its cold pull — the host's run when the host can run
// it (the engine is not asked to run it again), else the engine's — and no
// probe at all on warm pulls, until the engine the outcome depended on
// changes or the pull policy is always.
func TestHangingVersionCostsOnce(t *testing.T) {
	ctx := context.Background()
	const timeout = 300 * time.Millisecond
	rng := compat.MustParse(">=0.0.47-0")
	for _, tc := range []struct {
		name   string
		host   supervisor.Prober
		hostOK bool // the host can run it: its run is the one that times out
		cold   resolver.PullPolicy
	}{
		{"host runs it", supervisor.Run(timeout), true, resolver.PullIfStale},
		{"host cannot run it", cannotRun{}, false, resolver.PullIfStale},
		{"cold pull always", supervisor.Run(timeout), true, resolver.PullAlways},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, ref := e.push(t, "hang:dev", fixture.Options{Version: fixture.HangingVersion, Platforms: []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}})
			eng := &hungEngine{env: "engine A"}
			host, inEngine := &countingProber{p: tc.host}, &countingProber{p: supervisor.Engine(eng, timeout)}
			resolve := func(policy resolver.PullPolicy) error {
				t.Helper()
				r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()), resolver.WithRange(rng), resolver.WithPullPolicy(policy),
					resolver.WithProbers(host, inEngine, supervisor.BuildInfo(), supervisor.ELFString()))
				_, err := r.Resolve(ctx, ref)
				var ie *resolver.IncompatibleError
				if !errors.As(err, &ie) || ie.Version != "" || len(ie.Tried) == 0 {
					t.Fatalf("got %v, want an unknown version refused, with the methods tried", err)
				}
				return err
			}
			timeouts := func() int32 {
				if tc.hostOK {
					return host.runs.Load()
				}
				return inEngine.runs.Load()
			}
			resolve(tc.cold)
			if n := timeouts(); n != 1 {
				t.Fatalf("cold pull: %d probe runs to their timeout, want 1", n)
			}
			if tc.hostOK && inEngine.runs.Load() != 0 {
				t.Errorf("cold pull: the engine ran it again after the host's run hung")
			}
			before := host.runs.Load() + inEngine.runs.Load()
			resolve(resolver.PullNever)
			resolve(resolver.PullNever)
			if n := host.runs.Load() + inEngine.runs.Load() - before; n != 0 {
				t.Fatalf("warm pulls: %d probe runs, want none", n)
			}
			eng.set("engine B")
			resolve(resolver.PullNever)
			if n := host.runs.Load() + inEngine.runs.Load() - before; n == 0 {
				t.Fatalf("the engine changed, and the warm pull did not probe again")
			}
			before = host.runs.Load() + inEngine.runs.Load()
			resolve(resolver.PullNever)
			if n := host.runs.Load() + inEngine.runs.Load() - before; n != 0 {
				t.Fatalf("warm pull after the re-probe: %d probe runs, want none", n)
			}
			resolve(resolver.PullAlways)
			if n := host.runs.Load() + inEngine.runs.Load() - before; n == 0 {
				t.Fatalf("pull policy always: no probe")
			}
		})
	}
}
