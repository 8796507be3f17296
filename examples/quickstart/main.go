// Quickstart runs supctl's main job end to end with nothing but Go: it
// starts an in-process OCI registry, builds a small multi-arch supervisor
// image on the spot (tiny real static executables for linux/amd64 and
// linux/arm64, written byte by byte: no compiler needed), pushes it, and
// pulls it through the library the way a gateway does: extract, verify,
// learn the version, check it against a range.
//
//	go run ./examples/quickstart
//
// The results go to stdout; the library's log lines (one per decision) go
// to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"

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

// version is what the quickstart's supervisor binaries print.
const version = "0.0.47-dev.13"

func run(ctx context.Context, keep bool, out, logs io.Writer) error {
	// An OCI registry in this process, and a supervisor image like the real
	// one pushed to it: an Alpine-like base, a middle layer, and the binary
	// alone in the top layer, for two platforms.
	reg := fixture.Serve()
	defer reg.Close()
	fmt.Fprintf(out, "registry   %s (in-process)\n", reg.Host)
	fmt.Fprintln(out, "building   openshell-sandbox "+version+" for linux/amd64 and linux/arm64")
	work, err := os.MkdirTemp("", "supctl-quickstart-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	index, err := supervisorIndex(version)
	if err != nil {
		return err
	}
	ref := reg.Host + "/openshell/supervisor:dev"
	if err := fixture.Push(ctx, ref, index); err != nil {
		return err
	}
	idx, _ := index.Digest()
	fmt.Fprintf(out, "pushed     %s (index %s)\n\n", ref, idx)

	// What a gateway does at startup: open the cache, resolve the image
	// under the range this gateway speaks, and use the path it gets.
	c, err := cache.Open(work + "/cache")
	if err != nil {
		return err
	}
	rng := compat.MustParse(">=0.0.47-0 <0.1.0")
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, err := resolver.New(c, resolver.WithRange(rng), resolver.WithLogger(logger))
	if err != nil {
		return err
	}
	res, err := r.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "pulled     %s\n", res.Ref)
	fmt.Fprintf(out, "  path     %s\n", res.Path)
	fmt.Fprintf(out, "  digest   %s (%s)\n", res.Digest, res.Platform)
	fmt.Fprintf(out, "  version  %s (learned by %s)\n", res.Version, res.VersionSource)
	fmt.Fprintf(out, "  range    %s: compatible\n", rng)
	fmt.Fprintf(out, "  sha256   %s, %d bytes\n\n", res.BinarySHA256, res.Size)

	before := reg.Requests()
	again, err := r.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "again      from %s, %d registry requests, same path: %v\n", again.ResolvedFrom, reg.Requests()-before, again.Path == res.Path)

	// A gateway that needs a newer supervisor refuses this one, loudly,
	// before creating any sandbox.
	strict, err := resolver.New(c, resolver.WithRange(compat.MustParse(">=0.1.0")))
	if err != nil {
		return err
	}
	_, err = strict.Resolve(ctx, ref)
	fmt.Fprintf(out, "strict     a gateway needing >=0.1.0 gets: %v\n", err)
	if keep {
		fmt.Fprintf(out, "\ncache kept in %s\n", work)
	}
	return nil
}
