// Quickstart runs supctl's main job end to end with nothing but Go, and
// replays the failure supctl exists for. It starts an in-process OCI
// registry and pushes a small multi-arch supervisor image built on the spot
// (tiny real static executables for linux/amd64 and linux/arm64, written
// byte by byte: no compiler needed) as the floating tag :dev. An old
// gateway pulls it; the tag moves on; the gateway is upgraded. Its first
// pull refuses the stale cached binary, checks the tag again, selects the
// binary that fits and switches the stable path its supervisor_bin names.
//
//	go run ./examples/quickstart
//
// The story goes to stdout; the library's log lines (one per decision)
// go to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func main() {
	keep := flag.Bool("keep", false, "keep the cache directory instead of deleting it at exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, *keep, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// The versions of the story: the supervisor a gateway extracted weeks ago,
// the one the tag points at today, and today's gateway with the range of
// its release line.
const (
	stale   = "0.0.37-dev.160"
	current = "0.0.47-dev.13"
	gateway = "0.0.47-dev.12"
	oldRng  = ">=0.0.37-0 <0.0.38-0"
	newRng  = ">=0.0.47-0 <0.0.48-0"
)

func run(ctx context.Context, keep bool, out, logs io.Writer) error {
	reg := fixture.Serve()
	defer reg.Close()
	work, err := os.MkdirTemp("", "supctl-quickstart-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	c, err := cache.Open(work + "/cache")
	if err != nil {
		return err
	}
	ev := newEvents(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	logger := slog.New(ev)
	ref := reg.Host + "/openshell/supervisor:dev"
	fmt.Fprintf(out, "registry    %s (in-process), cache %s\n\n", reg.Host, c.Dir())

	// Weeks ago: :dev is the old supervisor, and the old gateway pulls it.
	if err := push(ctx, ref, stale); err != nil {
		return err
	}
	old, err := resolver.New(c, resolver.WithRange(compat.MustParse(oldRng)), resolver.WithLogger(logger))
	if err != nil {
		return err
	}
	res, err := old.ResolveLink(ctx, ref, "gateway")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "weeks ago   a gateway of the 0.0.37 line pulls :dev: openshell-sandbox %s (learned by %s)\n", res.Version, res.VersionSource)
	fmt.Fprintf(out, "            its supervisor_bin, %s, names that binary\n", rel(c, res.Link.Path))

	// Since: the tag moves on. The cache does not know yet.
	if err := push(ctx, ref, current); err != nil {
		return err
	}
	fmt.Fprintf(out, "since       :dev moved on to openshell-sandbox %s; the cache still holds the old one\n", current)

	// Today: the gateway is upgraded, and pulls under its own range before
	// it starts. The tag's last check is minutes old, so the cache would
	// serve the old binary: its version is what stops it.
	fmt.Fprintf(out, "today       gateway %s starts, needing %q; the tag's last check is minutes old\n", gateway, newRng)
	ev.take()
	r, err := resolver.New(c, resolver.WithRange(compat.MustParse(newRng)), resolver.WithLogger(logger))
	if err != nil {
		return err
	}
	res, err = r.ResolveLink(ctx, ref, "gateway")
	if err != nil {
		return err
	}
	es := ev.take()
	if e, ok := find(es, "incompatible"); ok {
		fmt.Fprintf(out, "  refused     the cached openshell-sandbox %s: outside %q\n", e.attrs["version"], e.attrs["range"])
	}
	if e, ok := find(es, "refreshed"); ok {
		fmt.Fprintf(out, "  re-checked  :dev with the registry at once: it moved to %.19s…\n", e.attrs["new"])
	}
	fmt.Fprintf(out, "  selected    openshell-sandbox %s (learned by %s, from the %s)\n", res.Version, res.VersionSource, res.ResolvedFrom)
	fmt.Fprintf(out, "  switched    %s -> %s\n\n", rel(c, res.Link.Path), rel(c, res.Path))

	// Again: from the cache, no registry request, same binary.
	mid := reg.Requests()
	again, err := r.ResolveLink(ctx, ref, "gateway")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "again       from %s, %d registry requests, same binary: %v, link switched: %v\n",
		again.ResolvedFrom, reg.Requests()-mid, again.Path == res.Path, again.Switched)

	// A gateway that needs a newer supervisor refuses this one, loudly,
	// before creating any sandbox, and leaves the link alone.
	strict, err := resolver.New(c, resolver.WithRange(compat.MustParse(">=0.1.0")))
	if err != nil {
		return err
	}
	_, err = strict.ResolveLink(ctx, ref, "gateway")
	fmt.Fprintf(out, "strict      a gateway needing >=0.1.0 gets: %v\n", err)
	fmt.Fprintf(out, "\nthe gateway's config:\n")
	if err := res.WriteConfig(out); err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(out, "\ncache kept in %s\n", work)
	}
	return nil
}

// rel is p relative to the cache's directory, with a long digest cut.
func rel(c *cache.Cache, p string) string {
	r, err := filepath.Rel(c.Dir(), p)
	if err != nil {
		return p
	}
	if i := strings.Index(r, "sha256-"); i >= 0 && len(r) > i+7+12 {
		if j := strings.IndexByte(r[i:], '/'); j > 7+12 {
			r = r[:i+7+12] + "…" + r[i+j:]
		}
	}
	return r
}

// push pushes the quickstart's supervisor image of version as ref.
func push(ctx context.Context, ref, version string) error {
	index, err := supervisorIndex(version)
	if err != nil {
		return err
	}
	return fixture.Push(ctx, ref, index)
}
