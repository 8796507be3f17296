package engine

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNoEngine reports that no engine is configured: engine [None], or
	// no DOCKER_HOST, no Docker context and no standard socket. Every
	// [*NoEngineError] is one.
	ErrNoEngine = errors.New("engine: no container engine")

	// ErrBadEndpoint reports a DOCKER_HOST, CONTAINER_HOST or Docker
	// context that does not name a usable address.
	ErrBadEndpoint = errors.New("engine: bad engine endpoint")

	// ErrUnreachable reports an endpoint where no engine answers. Every
	// [*UnreachableError] is one.
	ErrUnreachable = errors.New("engine: container engine unreachable")

	// ErrWrongProduct reports an engine that is not the product asked
	// for, such as Podman behind /var/run/docker.sock when [Docker] was
	// asked. Every [*ProductError] is one.
	ErrWrongProduct = errors.New("engine: not the container engine asked for")

	// ErrCannotRun reports an engine that cannot run a binary of the
	// platform asked for ("exec format error": no emulation for it).
	ErrCannotRun = errors.New("engine: the engine cannot run this platform")
)

// NoEngineError reports that discovery found no engine.
type NoEngineError struct {
	Kind  Kind     // the kind asked for
	Tried []string // the standard sockets looked for
}

func (e *NoEngineError) Error() string {
	if e.Kind == Podman {
		return fmt.Sprintf("engine: no Podman engine found: CONTAINER_HOST is not set and none of %s exists; start Podman's service (podman system service), or set CONTAINER_HOST",
			strings.Join(e.Tried, ", "))
	}
	return fmt.Sprintf("engine: no container engine found: DOCKER_HOST is not set, there is no current Docker context, and none of %s exists; start Docker or Podman, or set DOCKER_HOST",
		strings.Join(e.Tried, ", "))
}

// Is reports whether target is [ErrNoEngine].
func (e *NoEngineError) Is(target error) bool { return target == ErrNoEngine }

// UnreachableError reports an endpoint where no engine answers.
type UnreachableError struct {
	Endpoint Endpoint
	Err      error // what the connection attempt said
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("engine: no container engine answers at %s: %v; %s", e.Endpoint, e.Err, e.Endpoint.Fix())
}

// Is reports whether target is [ErrUnreachable].
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

func (e *UnreachableError) Unwrap() error { return e.Err }

// ProductError reports an engine that is not the kind asked for.
type ProductError struct {
	Want     Kind
	Got      Info
	Endpoint Endpoint
}

func (e *ProductError) Error() string {
	return fmt.Sprintf("engine: %s is %s %s, not %s; point DOCKER_HOST (or the Docker context) at the %s engine, or use engine %q",
		e.Endpoint, e.Got.Product, e.Got.Version, e.Want, e.Want, Auto)
}

// Is reports whether target is [ErrWrongProduct].
func (e *ProductError) Is(target error) bool { return target == ErrWrongProduct }
