package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/supervisor"
)

var (
	// ErrNoEngine reports that no engine is configured: engine [None], or
	// no DOCKER_HOST, no Docker context and no standard socket. Every
	// [*NoEngineError] is one.
	ErrNoEngine = errors.New("no container engine")

	// ErrBadEndpoint reports a DOCKER_HOST, CONTAINER_HOST or Docker
	// context that does not name a usable address.
	ErrBadEndpoint = errors.New("bad engine endpoint")

	// ErrUnreachable reports an endpoint where no engine answers. Every
	// [*UnreachableError] is one.
	ErrUnreachable = errors.New("container engine unreachable")

	// ErrWrongProduct reports an engine that is not the product asked
	// for, such as Podman behind /var/run/docker.sock when [Docker] was
	// asked. Every [*ProductError] is one.
	ErrWrongProduct = errors.New("not the container engine asked for")

	// ErrCannotRun reports an engine that cannot run a binary of the
	// platform asked for ("exec format error": no emulation for it).
	ErrCannotRun = errors.New("the engine cannot run this platform")
)

// CannotRunError reports an engine that cannot execute a binary's
// platform. It matches [ErrCannotRun] and [supervisor.ErrNotApplicable].
type CannotRunError struct {
	Engine   Info
	Endpoint Endpoint
	Platform string // the binary's, e.g. "linux/arm64"
}

func (e *CannotRunError) Error() string {
	return fmt.Sprintf("the %s at %s runs %s and cannot run a %s binary (exec format error); %s",
		e.Engine.Product, e.Endpoint.Host, e.Engine.Platform(), e.Platform, e.Fix())
}

// Fix says what would let the engine run the binary.
func (e *CannotRunError) Fix() string {
	if e.Engine.Product == ProductDockerDesktop {
		return fmt.Sprintf("turn on Docker Desktop's emulation (Rosetta or QEMU) for %s, or use an engine that runs it", e.Platform)
	}
	return fmt.Sprintf("register an emulator for %s on the engine's host (qemu-user-static with binfmt_misc, F flag), or use an engine that runs it", e.Platform)
}

// Is reports whether target is [ErrCannotRun] or [supervisor.ErrNotApplicable].
func (e *CannotRunError) Is(target error) bool {
	return target == ErrCannotRun || target == supervisor.ErrNotApplicable
}

// notApplicable marks an engine error as a reason the engine prober
// cannot answer, keeping its message and what it matches.
type notApplicable struct{ err error }

func (e *notApplicable) Error() string   { return e.err.Error() }
func (e *notApplicable) Unwrap() []error { return []error{e.err, supervisor.ErrNotApplicable} }

// Fix is the wrapped error's fix, if it has one.
func (e *notApplicable) Fix() string {
	var f interface{ Fix() string }
	if errors.As(e.err, &f) {
		return f.Fix()
	}
	return ""
}

// NoEngineError reports that discovery found no engine.
type NoEngineError struct {
	Kind  Kind     // the kind asked for
	Tried []string // the standard sockets looked for
}

func (e *NoEngineError) Error() string {
	if e.Kind == Podman {
		return fmt.Sprintf("no Podman engine found: CONTAINER_HOST is not set and none of %s exists; %s",
			strings.Join(e.Tried, ", "), e.Fix())
	}
	return fmt.Sprintf("no container engine found: DOCKER_HOST is not set, there is no current Docker context, and none of %s exists; %s",
		strings.Join(e.Tried, ", "), e.Fix())
}

// Is reports whether target is [ErrNoEngine].
func (e *NoEngineError) Is(target error) bool { return target == ErrNoEngine }

// Fix says how to get an engine.
func (e *NoEngineError) Fix() string {
	if e.Kind == Podman {
		return "start Podman's service (podman system service), or set CONTAINER_HOST"
	}
	return "start Docker or Podman, or set DOCKER_HOST"
}

// UnreachableError reports an endpoint where no engine answers.
type UnreachableError struct {
	Endpoint Endpoint
	Err      error // what the connection attempt said
	// NotEngine: something answered, but not as a container engine (a web
	// server, a registry: a DOCKER_HOST pointed at the wrong port).
	NotEngine bool
}

func (e *UnreachableError) Error() string {
	if e.NotEngine {
		return fmt.Sprintf("%s answers, but not as a container engine: %v; %s", e.Endpoint, e.Err, e.Endpoint.Fix())
	}
	return fmt.Sprintf("no container engine answers at %s: %v; %s", e.Endpoint, e.Err, e.Endpoint.Fix())
}

// Is reports whether target is [ErrUnreachable].
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

func (e *UnreachableError) Unwrap() error { return e.Err }

// Fix says what to change: the endpoint's own fix.
func (e *UnreachableError) Fix() string { return e.Endpoint.Fix() }

// ProductError reports an engine that is not the kind asked for.
type ProductError struct {
	Want     Kind
	Got      Info
	Endpoint Endpoint
}

func (e *ProductError) Error() string {
	return fmt.Sprintf("%s is %s %s, not %s; %s", e.Endpoint, e.Got.Product, e.Got.Version, e.Want, e.Fix())
}

// Is reports whether target is [ErrWrongProduct].
func (e *ProductError) Is(target error) bool { return target == ErrWrongProduct }

// Fix says how to reach the product asked for.
func (e *ProductError) Fix() string {
	v := "DOCKER_HOST (or the Docker context)"
	if e.Want == Podman {
		v = "CONTAINER_HOST"
	}
	return fmt.Sprintf("point %s at the %s engine, or use engine %q", v, e.Want, Auto)
}
