package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultEngineTimeout bounds one run of a binary in a container engine,
// container start included.
const DefaultEngineTimeout = 30 * time.Second

// A ContainerRunner runs a binary inside a container engine the way a
// gateway runs the supervisor: in a throwaway container with no network,
// no capabilities, a read-only root and an unprivileged user. RunBinary
// returns what the binary printed on stdout (at most a few KiB). It
// returns an error wrapping [ErrNotApplicable] when there is no engine or
// it cannot run the binary's platform, saying what would fix that, and
// another error when the container could not run the binary or it failed.
//
// Package engine implements it on the Engine API (engine.Runner); this
// package does not depend on any engine client.
type ContainerRunner interface {
	RunBinary(ctx context.Context, path string, p v1.Platform, args ...string) ([]byte, error)
}

// StandardProbers returns the probers a resolve uses, in order: [Run] (the
// host runs the binary itself when it can), the engine prober [Engine]
// over r (nil: no engine), [BuildInfo] and [ELFString], all with their
// default timeouts. The engine prober is asked only when running on the
// host is not applicable.
func StandardProbers(r ContainerRunner) []Prober {
	return []Prober{Run(0), Engine(r, 0), BuildInfo(), ELFString()}
}

type engineProber struct {
	runner  ContainerRunner
	timeout time.Duration
}

// Engine returns a prober that runs "<bin> --version" in a container
// through r: the method for hosts that cannot run the binary themselves but
// drive an engine that can, such as a Mac with Apple silicon whose Docker
// Desktop runs linux/arm64. A timeout of 0 means [DefaultEngineTimeout].
func Engine(r ContainerRunner, timeout time.Duration) Prober {
	if timeout <= 0 {
		timeout = DefaultEngineTimeout
	}
	return engineProber{runner: r, timeout: timeout}
}

func (e engineProber) Probe(ctx context.Context, b Binary) (Version, error) {
	if e.runner == nil {
		return unknown, fmt.Errorf("no container engine is used; select one (engine auto, docker or podman) to learn the version in a container: %w", ErrNotApplicable)
	}
	rctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, err := e.runner.RunBinary(rctx, b.Path, b.Platform, "--version")
	switch {
	case ctx.Err() != nil:
		return unknown, ctx.Err()
	case errors.Is(err, ErrNotApplicable):
		return unknown, err
	case err != nil:
		return unknown, fmt.Errorf("running %s in the container engine: %v: %w", b.Path, err, ErrUnknownVersion)
	}
	v, err := ParseVersionLine(b.name(), string(out))
	if err != nil {
		return unknown, err
	}
	return Version{Version: v, Method: MethodEngine}, nil
}
