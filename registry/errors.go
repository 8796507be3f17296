package registry

import (
	"errors"
	"fmt"
	"time"

	"github.com/openshell-contrib/supctl/remedy"
)

// Sentinel errors. An error of a [Client] wraps at most one of them once
// classified (see [Classify]); the resolver's errors of the same names are
// these values.
var (
	// ErrNotFound reports a repository, tag, digest or blob that the
	// registry does not have.
	ErrNotFound = errors.New("not found")

	// ErrUnreachable reports a registry that could not be reached, that
	// stalled or timed out, or that failed (5xx, 429) after bounded
	// retries, and a server that is no registry at all.
	ErrUnreachable = errors.New("registry unreachable")

	// ErrDenied reports a registry that refused the credentials, or the
	// lack of them (401, 403): log in, or check the credentials.
	ErrDenied = errors.New("access denied")

	// ErrRefused reports content that supctl will not use: bytes that do
	// not match their digest, a manifest or config over its size limit.
	ErrRefused = errors.New("refused")
)

// NotRegistryError reports a server that answered a registry API request
// with something else: a web page, or a document that is not the registry
// protocol's. It matches [ErrUnreachable]: there is no registry there.
type NotRegistryError struct {
	Host string
	What string // "a web page", "a response that is not a token", ...
}

func (e *NotRegistryError) Error() string {
	return fmt.Sprintf("%s answered with %s, not a registry API; check the registry host name (and any proxy in between)", e.Host, e.What)
}

// Is reports whether target is [ErrUnreachable].
func (e *NotRegistryError) Is(target error) bool { return target == ErrUnreachable }

// RetryAfterError reports a registry that asked to be retried later than
// supctl waits ([WithRetryAfterCap]). It matches [ErrUnreachable].
type RetryAfterError struct {
	Host   string
	Status int
	Wait   time.Duration // what the registry asked for
	Cap    time.Duration // the longest wait honoured
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%s answered %d and asked to retry after %v, longer than the %v supctl waits; %s",
		e.Host, e.Status, e.Wait, e.Cap, e.Remedy())
}

// Remedy is to try again later or use a mirror.
func (e *RetryAfterError) Remedy() remedy.Remedy {
	return remedy.Remedy{Action: remedy.Mirror, Before: "try again later or "}
}

// Is reports whether target is [ErrUnreachable].
func (e *RetryAfterError) Is(target error) bool { return target == ErrUnreachable }
