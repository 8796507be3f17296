package resolver_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestResolveLinkAcrossTagMoves: the tag moves in and out of the range;
// the link follows it only to binaries in range, and a refused resolve
// leaves it where it was.
func TestResolveLinkAcrossTagMoves(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	rng := resolver.WithRange(compat.MustParse(">=0.0.47-0 <0.0.48-0"))
	always := resolver.WithPullPolicy(resolver.PullAlways)
	dir := t.TempDir()
	var ref string
	for i, step := range []struct {
		version string // pushed as sup:dev
		ok      bool
		want    string // the version the link names after the step
	}{
		{"0.0.47-dev.13", true, "0.0.47-dev.13"},
		{"0.0.48", false, "0.0.47-dev.13"},
		{fixture.NoVersion, false, "0.0.47-dev.13"},
		{"0.0.37-dev.160", false, "0.0.47-dev.13"},
		{"0.0.47-dev.20", true, "0.0.47-dev.20"},
	} {
		_, ref = e.push(t, "sup:dev", fixture.Options{BuildDir: dir, Version: step.version})
		got, err := e.resolver(t, rng, always).ResolveLink(ctx, ref, "gateway")
		if step.ok != (err == nil) {
			t.Fatalf("step %d (%s): %+v, %v", i, step.version, got, err)
		}
		if !step.ok && !errors.Is(err, resolver.ErrIncompatible) {
			t.Fatalf("step %d (%s): %v, want an incompatible version", i, step.version, err)
		}
		if step.ok && (!got.Switched || got.Link.Version != step.version || got.Link.Target != got.Path) {
			t.Fatalf("step %d: %+v", i, got)
		}
		if l := e.cache.CheckLink(ctx, "gateway"); l.Err != nil || l.Version != step.want {
			t.Fatalf("step %d (%s): the link names %q (%v), want %s", i, step.version, l.Version, l.Err, step.want)
		}
	}
	if l := e.cache.CheckLink(ctx, "gateway"); l.Previous == "" || l.Previous == l.Target {
		t.Fatalf("previous %q, target %q", l.Previous, l.Target)
	}
	// Without a range, no link moves; a bad name is refused before any
	// registry request.
	_, ref = e.push(t, "sup:dev", fixture.Options{BuildDir: dir, Version: "0.0.47-dev.30"})
	if _, err := e.resolver(t, always).ResolveLink(ctx, ref, "gateway"); !errors.Is(err, resolver.ErrNoRange) {
		t.Fatalf("no range: %v", err)
	}
	reqs := e.requests(t, func() {
		if _, err := e.resolver(t, rng, always).ResolveLink(ctx, ref, "../gateway"); err == nil {
			t.Error("bad link name accepted")
		}
	})
	if len(reqs) != 0 {
		t.Errorf("a bad link name cost %d registry requests", len(reqs))
	}
	if l := e.cache.CheckLink(ctx, "gateway"); l.Version != "0.0.47-dev.20" {
		t.Fatalf("the link moved to %s", l.Version)
	}
}

// TestOriginalFailureLink: the original report, with a link: the link
// named the stale binary of a floating tag, the tag moved on, and the
// gateway was upgraded. A pull under the new range, with the tag's check
// still fresh, refuses the stale binary, checks the tag again and switches
// the link to the binary that fits.
func TestOriginalFailureLink(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	dir := t.TempDir()
	_, ref := e.push(t, "sup:dev", fixture.Options{BuildDir: dir, Version: "0.0.37-dev.160"})
	old := resolver.WithRange(compat.MustParse(">=0.0.37-0 <0.0.38-0"))
	if _, err := e.resolver(t, old).ResolveLink(ctx, ref, "gateway"); err != nil {
		t.Fatal(err)
	}
	e.push(t, "sup:dev", fixture.Options{BuildDir: dir, Version: "0.0.47-dev.13"})
	got, err := e.resolver(t, resolver.WithRange(compat.MustParse(">=0.0.47-0 <0.0.48-0"))).ResolveLink(ctx, ref, "gateway")
	if err != nil || !got.Switched || got.Link.Version != "0.0.47-dev.13" || got.ResolvedFrom != resolver.FromRegistry {
		t.Fatalf("%+v, %v", got, err)
	}
	var b bytes.Buffer
	if err := got.WriteConfig(&b); err != nil {
		t.Fatal(err)
	}
	want := "[openshell.drivers.docker]\nsupervisor_bin = \"" + e.cache.LinkPath("gateway") + "\"\n"
	if !strings.HasSuffix(b.String(), want) || !strings.Contains(b.String(), "# gateway names openshell-sandbox 0.0.47-dev.13 (") {
		t.Fatalf("config:\n%s", b.String())
	}
}

// TestBinDriverConfig: the path is a TOML string whatever it holds.
func TestBinDriverConfig(t *testing.T) {
	for path, want := range map[string]string{
		"/home/me/.local/share/openshell/docker-supervisor/links/gateway": `"/home/me/.local/share/openshell/docker-supervisor/links/gateway"`,
		`C:\Users\me "x"`:   `"C:\\Users\\me \"x\""`,
		"/tmp/a\nb\x7f\xff": `"/tmp/a\nb\u007F\uFFFD"`,
	} {
		if got := resolver.BinDriverConfig(path); got != "[openshell.drivers.docker]\nsupervisor_bin = "+want+"\n" {
			t.Errorf("%q: %s", path, got)
		}
	}
}
