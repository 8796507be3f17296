// Homebrew is the pin step of a gateway release: the release script pins
// the supervisor image the release was built against, for every platform a
// gateway runs on, checks each platform's binary against the gateway's own
// compatibility range, and writes the gateway config snippet the Homebrew
// formula installs. The gateway then never follows a floating tag.
//
//	go run ./examples/homebrew                       # against an embedded registry
//	go run ./examples/homebrew -image ghcr.io/nvidia/openshell/supervisor:0.0.47-dev.13 \
//	    -range ">=0.0.47-0 <0.1.0" -out gateway.toml
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

func main() {
	image := flag.String("image", "", "supervisor image to pin (default: a demo image in an embedded registry)")
	rng := flag.String("range", ">=0.0.47-0 <0.1.0", "the supervisor versions this gateway release speaks to")
	out := flag.String("out", "", "write the config snippet here (default: stdout)")
	cacheDir := flag.String("cache-dir", "", "supctl cache (default: a temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, *image, *rng, *out, *cacheDir, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "homebrew:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, image, rng, outPath, cacheDir string, stdout, stderr io.Writer) error {
	r, err := compat.Parse(rng)
	if err != nil {
		return err
	}
	if cacheDir == "" {
		tmp, err := os.MkdirTemp("", "supctl-homebrew-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cacheDir = tmp
	}
	if image == "" {
		reg := fixture.Serve()
		defer reg.Close()
		image, _, err = reg.PushSupervisor(ctx, "openshell/supervisor:0.0.47-dev.13", fixture.Options{
			Version: "0.0.47-dev.13+g57b71c68f", BuildDir: cacheDir + "/build"})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "demo image %s in an embedded registry\n", image)
	}
	c, err := cache.Open(cacheDir + "/cache")
	if err != nil {
		return err
	}
	res, err := resolver.New(c, resolver.WithRange(r))
	if err != nil {
		return err
	}
	pin, err := res.Pin(ctx, image) // every platform a gateway runs on
	if err != nil {
		return err // an incompatible or broken supervisor stops the release here
	}
	w := stdout
	if outPath != "" {
		f, err := os.Create(outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := writeSnippet(w, pin); err != nil {
		return err
	}
	if outPath != "" {
		fmt.Fprintf(stderr, "wrote %s\n", outPath)
	}
	return nil
}

// writeSnippet writes the gateway configuration the formula installs.
func writeSnippet(w io.Writer, pin *resolver.Pin) error {
	if _, err := fmt.Fprintf(w, "# Supervisor pinned by the release pipeline from %s.\n", pin.Ref); err != nil {
		return err
	}
	return pin.WriteConfig(w)
}
