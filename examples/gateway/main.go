// Gateway shows how an OpenShell gateway's Docker driver uses supctl at
// startup: read the supervisor its gateway.toml names (through package
// gateway, the way the OpenShell gateway reads the same file), resolve that
// supervisor image under the range the
// gateway speaks, log exactly which supervisor it selected, and fail before
// creating any sandbox when the supervisor does not fit. It then prints the
// bind mount the driver adds to every sandbox container and, as a smoke
// run, what the supervisor prints for --version inside a container of the
// local engine (found as the Docker tooling finds it).
//
//	go run ./examples/gateway                      # the gateway's own gateway.toml, else an embedded registry
//	go run ./examples/gateway -config ~/.config/openshell/gateway.toml
//	go run ./examples/gateway -image ghcr.io/nvidia/openshell/supervisor:dev
package main

import (
	"bytes"
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
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
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
	config := flag.String("config", "", "the gateway's gateway.toml (default: the one the gateway reads)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := fromGatewayConfig(ctx, cfg, *config, nil, log)
	if err == nil {
		err = run(ctx, cfg, log, os.Stdout)
	}
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
	fmt.Fprintf(out, "--mount type=bind,src=%s,dst=%s,readonly\n", sup.Path, supervisorDest)
	return smokeRun(ctx, sup, log, out)
}

// supervisorDest is where sandbox containers find the supervisor.
const supervisorDest = "/opt/openshell/bin/openshell-sandbox"

// smokeRun runs the selected supervisor with --version in a container the
// way sandboxes will run it: bind-mounted read-only at supervisorDest (or
// copied in, when the engine cannot see this host's files), and prints its
// output. It is the check that confirmed the original fix. Without an
// engine, or with one that cannot run the platform, it is skipped with a
// warning.
func smokeRun(ctx context.Context, sup *resolver.Result, log *slog.Logger, out io.Writer) error {
	eng, err := engine.Open(ctx)
	if err != nil {
		log.Warn("smoke run skipped: no container engine", "err", err)
		return nil
	}
	defer eng.Close()
	pl, err := resolver.ParsePlatform(sup.Platform)
	if err != nil {
		return err
	}
	info := eng.Info()
	res, err := eng.Run(ctx, engine.RunSpec{Binary: sup.Path, Platform: pl, Dest: supervisorDest, Args: []string{"--version"}, Mount: true})
	if errors.Is(err, engine.ErrCannotRun) {
		log.Warn("smoke run skipped", "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("smoke run of the supervisor in %s at %s: %w", info.Product, eng.Endpoint(), err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("smoke run: %s --version exited with status %d in the container: %s", supervisorDest, res.ExitCode, bytes.TrimSpace(res.Stderr))
	}
	how := "bind-mounted"
	if res.Copied {
		how = "copied in"
	}
	log.Info("smoke run", "engine", info.Product, "engine_version", info.Version, "endpoint", eng.Endpoint().Host,
		"endpoint_source", eng.Endpoint().Why(), "binary", how)
	fmt.Fprintf(out, "%s\n", bytes.TrimSpace(res.Stdout))
	return nil
}

// selectSupervisor is the driver's startup step. It returns the supervisor
// and the function that releases it.
func selectSupervisor(ctx context.Context, cfg driverConfig, log *slog.Logger) (*resolver.Result, func() error, error) {
	dir, err := cache.ResolveDir(cfg.CacheDir)
	if err != nil {
		return nil, nil, err
	}
	c, err := cache.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	// A Docker driver has an engine at hand: where this host cannot run the
	// supervisor (a Mac), the engine tells its version the way sandboxes
	// will run it. engine.Auto is the default; it is spelled out here.
	r, err := resolver.New(c, resolver.WithRange(compat.MustParse(supervisorRange)), resolver.WithLogger(log), resolver.WithEngine(engine.Auto))
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
