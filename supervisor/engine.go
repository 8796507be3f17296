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
// gateway runs the supervisor: bind-mounted read-only into a throwaway
// container. RunBinary returns what the binary printed on stdout (at most a
// few KiB). It returns an error wrapping [ErrNotApplicable] when the engine
// is not available, and another error when the container could not run the
// binary or it failed.
type ContainerRunner interface {
	RunBinary(ctx context.Context, path string, p v1.Platform, args ...string) ([]byte, error)
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
		return unknown, fmt.Errorf("supervisor: no container engine configured: %w", ErrNotApplicable)
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
		return unknown, fmt.Errorf("supervisor: running %s in the container engine: %v: %w", b.Path, err, ErrUnknownVersion)
	}
	v, err := ParseVersionLine(b.name(), string(out))
	if err != nil {
		return unknown, err
	}
	return Version{Version: v, Source: SourceEngine}, nil
}
