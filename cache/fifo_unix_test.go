//go:build unix

package cache_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/cache"
)

// noHang runs f and fails the test if it has not returned after a minute:
// a guard against a hang, not a measure of speed.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s hangs", what)
	}
}

// A FIFO (or another non-regular file) where an entry's lock file belongs
// never makes a call wait: verify reports it as a damaged lock and repair
// replaces it; lookups, holds and fills refuse it as damaged.
func TestFIFOLockNeverBlocks(t *testing.T) {
	ctx := context.Background()
	c, clk := openClocked(t)
	e := put(t, c, clk, "e", spec{})
	lock := filepath.Dir(e.Path) + ".lock"
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(lock, 0o644); err != nil {
		t.Fatal(err)
	}
	noHang(t, "verify", func() {
		r, err := c.Verify(ctx, false)
		if err != nil || r.OK() || len(r.Problems) != 1 || r.Problems[0].Kind != cache.ProblemLock || r.Problems[0].Path != lock ||
			!strings.Contains(r.Problems[0].Message, "not a regular file") {
			t.Errorf("verify: %+v %v, want the FIFO lock reported", r, err)
		}
	})
	noHang(t, "hold", func() {
		if _, err := c.Hold(ctx, keyOf("e")); !errors.Is(err, cache.ErrDamaged) || !strings.Contains(err.Error(), "repairing verification") {
			t.Errorf("Hold: %v, want ErrDamaged", err)
		}
	})
	noHang(t, "gc", func() {
		if _, err := c.GC(ctx, cache.GCPolicy{DryRun: true}); err != nil {
			t.Errorf("gc --dry-run: %v", err)
		}
	})
	noHang(t, "repair", func() {
		if r, err := c.Verify(ctx, true); err != nil || len(r.Problems) != 1 || !r.Problems[0].Repaired {
			t.Errorf("repair: %+v %v", r, err)
		}
	})
	if r, err := c.Verify(ctx, false); err != nil || !r.OK() {
		t.Fatalf("after repair: %+v %v", r, err)
	}
	if release, err := c.Hold(ctx, keyOf("e")); err != nil {
		t.Fatalf("Hold after repair: %v", err)
	} else {
		release()
	}
}
