package resolver_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// gcOnExtracted is a log handler that collects the cache, with the policy
// that removes every entry not in use, each time the resolver logs that it
// extracted a binary: just after the commit, the moment at which an entry
// committed without its hold would go. It notes what each collection
// removed and every message logged.
type gcOnExtracted struct {
	c *cache.Cache

	mu       sync.Mutex
	gcs      int
	removed  []string
	messages []string
	err      error
}

func (h *gcOnExtracted) Enabled(context.Context, slog.Level) bool { return true }
func (h *gcOnExtracted) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *gcOnExtracted) WithGroup(string) slog.Handler            { return h }

func (h *gcOnExtracted) Handle(ctx context.Context, rec slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.messages = append(h.messages, rec.Message)
	if rec.Message != "extracted" {
		return nil
	}
	rep, err := h.c.GC(ctx, cache.GCPolicy{})
	if err != nil {
		h.err = err
		return nil
	}
	h.gcs++
	for _, g := range rep.Removed {
		h.removed = append(h.removed, g.Path)
	}
	return nil
}

// TestResolveAndHoldCommitsHeld: an entry that ResolveAndHold extracts is
// committed held, from a registry image and from a local image of the
// engine alike: a collection right after the commit keeps it, the first
// extraction is the result, and nothing is resolved again.
func TestResolveAndHoldCommitsHeld(t *testing.T) {
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, e *env) (ref string, opts []resolver.Option)
	}{
		{"registry", func(t *testing.T, e *env) (string, []resolver.Option) {
			_, ref := e.pushUnprotected(t)
			return ref, []resolver.Option{resolver.WithPlatform(fixture.HostPlatform())}
		}},
		{"engine", func(t *testing.T, e *env) (string, []resolver.Option) {
			ref := localRef(t)
			loadLocal(t, enginetest.Open(t), ref, "0.0.47-dev.1", host)
			return ref, []resolver.Option{resolver.WithImageSource(resolver.SourceEngine)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			ref, opts := tc.setup(t, e)
			h := &gcOnExtracted{c: e.cache}
			r := e.resolver(t, append(opts, resolver.WithLogger(slog.New(h)))...)
			held, err := r.ResolveAndHold(ctx, ref)
			h.mu.Lock()
			gcs, removed, messages, gcErr := h.gcs, h.removed, h.messages, h.err
			h.mu.Unlock()
			if err != nil {
				t.Fatalf("ResolveAndHold with a collection after each extraction: %v\ncollections removed %v; logged %q", err, removed, messages)
			}
			defer held.Release()
			if gcErr != nil {
				t.Fatalf("gc: %v", gcErr)
			}
			if !held.Extracted || gcs != 1 {
				t.Fatalf("extracted %v, %d collections; want one extraction, collected once", held.Extracted, gcs)
			}
			if len(removed) != 0 {
				t.Errorf("the collection after the commit removed %v: the entry was committed without its hold", removed)
			}
			for _, m := range messages {
				if strings.Contains(m, "resolving again") {
					t.Errorf("resolved again: %q", messages)
				}
			}
			if got := sha256File(t, held.Path); got != held.BinarySHA256 {
				t.Fatalf("the held binary has sha256 %s, the result says %s", got, held.BinarySHA256)
			}
			if err := held.Release(); err != nil {
				t.Fatal(err)
			}
			rep, err := e.cache.GC(ctx, cache.GCPolicy{})
			if err != nil || len(rep.Removed) != 1 {
				t.Fatalf("gc after release: removed %v, %v; want the entry", rep.Removed, err)
			}
		})
	}
}

// TestResolveAndHoldLocalUnderGC is TestResolveAndHoldUnderGC for a local
// image of the engine (--source engine), in fewer rounds: each extraction
// creates a container.
func TestResolveAndHoldLocalUnderGC(t *testing.T) {
	eng := enginetest.Open(t)
	ref := localRef(t)
	loadLocal(t, eng, ref, "0.0.47-dev.1", v1.Platform{OS: "linux", Architecture: runtime.GOARCH})
	e := newEnv(t)
	holdUnderGC(t, e, e.resolver(t, resolver.WithImageSource(resolver.SourceEngine)), ref, "", 5)
}
