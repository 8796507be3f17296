// Homebrew shows the two steps of a Homebrew formula of the OpenShell
// gateway that keeps the gateway's supervisor right, with the gateway as
// it ships:
//
//  1. pin, at release time: the release pipeline pins the supervisor image
//     the release was built against to its digest, checks the binary of
//     every platform a gateway runs on against the release's compatibility
//     range, and writes the pin into the formula ("supctl pin IMAGE
//     --compat RANGE --format toml"). The gateway never follows a floating
//     tag.
//  2. refresh, before the service starts: on the user's machine the
//     service's pre-start step pulls the pinned image under the range and
//     switches the cache's link "gateway" to the binary ("supctl pull
//     PINNED --compat RANGE --link gateway"), then writes the gateway's
//     [openshell.drivers.docker] table with supervisor_bin set to the link
//     ("supctl link gateway"). The gateway resolves supervisor_bin when it
//     starts, so it mounts a binary supctl verified and found in range;
//     a refresh that fails leaves the link, and so the gateway, as they were.
//
// In the formula:
//
//	service do
//	  run [opt_bin/"openshell-gateway-service"] # supctl pull "$PIN" --compat "$RANGE" --link gateway && exec openshell-gateway
//	end
//
// Run it:
//
//	go run ./examples/homebrew                  # both steps, against an embedded registry
//	go run ./examples/homebrew -step pin -image ghcr.io/nvidia/openshell/supervisor:0.0.47-dev.13 -out pin.toml
//	go run ./examples/homebrew -step refresh -image ghcr.io/nvidia/openshell/supervisor@sha256:... \
//	    -cache-dir ~/.local/share/openshell/docker-supervisor -out gateway.toml
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
	var o options
	flag.StringVar(&o.step, "step", "", "pin (release time), refresh (before the service starts), or both when empty")
	flag.StringVar(&o.image, "image", "", "supervisor image (default: a demo image in an embedded registry)")
	flag.StringVar(&o.rng, "range", ">=0.0.47-0 <0.1.0", "the supervisor versions this gateway release speaks to")
	flag.StringVar(&o.out, "out", "", "write the step's config here (default: stdout)")
	flag.StringVar(&o.cacheDir, "cache-dir", "", "supctl cache (default: a temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "homebrew:", err)
		os.Exit(1)
	}
}

type options struct {
	step, image, rng, out, cacheDir string
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	rng, err := compat.Parse(o.rng)
	if err != nil {
		return err
	}
	if o.step != "" && o.step != "pin" && o.step != "refresh" {
		return fmt.Errorf("-step %q: want pin or refresh", o.step)
	}
	if o.step == "" && o.out != "" {
		return fmt.Errorf("-out needs -step: each step writes its own config")
	}
	if o.step == "refresh" && o.image == "" {
		return fmt.Errorf("-step refresh needs -image, the pinned image")
	}
	if o.cacheDir == "" {
		tmp, err := os.MkdirTemp("", "supctl-homebrew-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		o.cacheDir = tmp
	}
	if o.image == "" {
		reg := fixture.Serve()
		defer reg.Close()
		o.image, _, err = reg.PushSupervisor(ctx, "openshell/supervisor:0.0.47-dev.13", fixture.Options{
			Version: "0.0.47-dev.13+g57b71c68f", BuildDir: o.cacheDir + "/build"})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "demo image %s in an embedded registry\n", o.image)
		o.cacheDir += "/cache"
	}
	c, err := cache.Open(o.cacheDir)
	if err != nil {
		return err
	}
	r, err := resolver.New(c, resolver.WithRange(rng))
	if err != nil {
		return err
	}
	w, done, err := output(o.out, stdout, stderr)
	if err != nil {
		return err
	}
	pinned := o.image
	if o.step != "refresh" {
		if o.step == "" {
			fmt.Fprintln(w, "# Step 1, at release time: the supervisor pinned for every platform.")
		}
		pin, err := r.Pin(ctx, o.image) // every platform a gateway runs on
		if err != nil {
			return err // an incompatible or broken supervisor stops the release here
		}
		if err := writePin(w, pin); err != nil {
			return err
		}
		pinned = pin.Image
	}
	if o.step != "pin" {
		if o.step == "" {
			fmt.Fprintln(w, "\n# Step 2, before the service starts: the stable path refreshed from the pin.")
		}
		linked, err := r.ResolveLink(ctx, pinned, "gateway")
		if err != nil {
			return err // the link, and the gateway's supervisor_bin, stay as they were
		}
		if err := linked.WriteConfig(w); err != nil {
			return err
		}
	}
	return done()
}

// writePin writes the pin the formula carries: the gateway configuration
// for the pinned image, with what each platform's binary is.
func writePin(w io.Writer, pin *resolver.Pin) error {
	if _, err := fmt.Fprintf(w, "# Supervisor pinned by the release pipeline from %s.\n", pin.Ref); err != nil {
		return err
	}
	return pin.WriteConfig(w)
}

// output returns where the step's config goes: the file at path, written
// whole when done is called, or stdout.
func output(path string, stdout, stderr io.Writer) (w io.Writer, done func() error, err error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() error {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", path)
		return nil
	}, nil
}
