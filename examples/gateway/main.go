// Gateway shows how an OpenShell gateway's Docker driver uses supctl at
// startup: resolve the configured supervisor image under the range the
// gateway speaks, log exactly which supervisor it selected, and fail before
// creating any sandbox when the supervisor does not fit. It then prints the
// bind mount the driver adds to every sandbox container.
//
//	go run ./examples/gateway                      # against an embedded registry
//	go run ./examples/gateway -image ghcr.io/nvidia/openshell/supervisor:dev
package main

import (
	"context"
	"errors"
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
	"github.com/openshell-contrib/supctl/supervisor"
)

// supervisorRange is the range of supervisors this gateway build speaks to;
// a real gateway derives it from its own version at build time.
const supervisorRange = ">=0.0.47-0 <0.1.0"

// driverConfig is the part of the gateway's [openshell.drivers.docker]
// configuration this example needs.
type driverConfig struct {
	SupervisorImage string // supervisor_image
	SupervisorBin   string // supervisor_bin: a local binary used instead of the image
	CacheDir        string
}

func main() {
	var cfg driverConfig
	flag.StringVar(&cfg.SupervisorImage, "image", "", "supervisor_image (default: a demo image in an embedded registry)")
	flag.StringVar(&cfg.SupervisorBin, "bin", "", "supervisor_bin: use this local binary instead of the image")
	flag.StringVar(&cfg.CacheDir, "cache-dir", "", "supctl cache (default: the standard one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := run(ctx, cfg, log, os.Stdout)
	stop()
	if err != nil {
		log.Error("docker driver disabled", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg driverConfig, log *slog.Logger, out io.Writer) error {
	if cfg.SupervisorImage == "" && cfg.SupervisorBin == "" {
		reg := fixture.Serve()
		defer reg.Close()
		dir, err := os.MkdirTemp("", "supctl-gateway-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		ref, _, err := reg.PushSupervisor(ctx, "openshell/supervisor:dev", fixture.Options{BuildDir: dir + "/build"})
		if err != nil {
			return err
		}
		cfg.SupervisorImage = ref
		if cfg.CacheDir == "" {
			cfg.CacheDir = dir + "/cache"
		}
	}
	sup, release, err := selectSupervisor(ctx, cfg, log)
	if err != nil {
		return err
	}
	// Keep the supervisor held while sandboxes may run from it: "supctl gc"
	// never removes a held entry.
	defer release()
	// Every sandbox container gets the supervisor bind-mounted read-only.
	fmt.Fprintf(out, "--mount type=bind,src=%s,dst=/opt/openshell/bin/openshell-sandbox,readonly\n", sup.Path)
	return nil
}

// selectSupervisor is the driver's startup step. It returns the supervisor
// and the function that releases it.
func selectSupervisor(ctx context.Context, cfg driverConfig, log *slog.Logger) (*resolver.Result, func() error, error) {
	dir := cfg.CacheDir
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return nil, nil, err
		}
		dir = d
	}
	c, err := cache.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	// A Docker driver has an engine at hand: where this host cannot run the
	// supervisor (a Mac), the engine tells its version the way sandboxes
	// will run it. A real driver would implement supervisor.ContainerRunner
	// with its own Docker client.
	probers := []supervisor.Prober{supervisor.Run(0), supervisor.Engine(supervisor.DockerCLI{}, 0), supervisor.BuildInfo(), supervisor.ELFString()}
	r, err := resolver.New(c, resolver.WithRange(compat.MustParse(supervisorRange)), resolver.WithLogger(log), resolver.WithProbers(probers...))
	if err != nil {
		return nil, nil, err
	}
	// A local binary is checked in place; an image's binary is resolved and
	// held in one call, so that "supctl gc" cannot remove it in between.
	var res *resolver.Result
	release := func() error { return nil }
	if cfg.SupervisorBin != "" {
		res, err = r.CheckFile(ctx, cfg.SupervisorBin)
	} else {
		var held *resolver.Held
		if held, err = r.ResolveAndHold(ctx, cfg.SupervisorImage); err == nil {
			res, release = &held.Result, held.Release
		}
	}
	var ie *resolver.IncompatibleError
	if errors.As(err, &ie) {
		// The error names the image, digest, version, range and what to do.
		return nil, nil, fmt.Errorf("refusing to create sandboxes: %w", err)
	}
	if err != nil {
		return nil, nil, err
	}
	// The startup line that answers "which supervisor does this gateway run?"
	log.Info("supervisor selected", "image", res.Ref, "digest", res.Digest, "index_digest", res.IndexDigest,
		"platform", res.Platform, "version", res.Version, "version_source", res.VersionSource,
		"sha256", res.BinarySHA256, "path", res.Path, "resolved_from", res.ResolvedFrom, "range", supervisorRange)
	return res, release, nil
}
