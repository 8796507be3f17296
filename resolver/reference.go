package resolver

import (
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/remedy"
)

// badReference is the error of a reference that does not parse, with what
// to write instead.
func badReference(ref string, err error) error {
	if _, rest, ok := strings.Cut(ref, "://"); ok {
		return &schemeError{ref: ref, rest: rest}
	}
	detail := strings.TrimSuffix(err.Error(), ": "+ref)
	if detail == "could not parse reference" {
		return fmt.Errorf("%q: %w; want REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST, e.g. ghcr.io/org/supervisor:0.0.47", ref, ErrBadReference)
	}
	return fmt.Errorf("%q: %w (%s); want REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST, e.g. ghcr.io/org/supervisor:0.0.47", ref, ErrBadReference, detail)
}

// schemeError is a reference written with a scheme ("https://"). It
// matches [ErrBadReference].
type schemeError struct{ ref, rest string }

func (e *schemeError) Error() string {
	return fmt.Sprintf("%q: %v: %s", e.ref, ErrBadReference, e.Remedy())
}

func (e *schemeError) Unwrap() error { return ErrBadReference }

// Remedy is the reference without its scheme.
func (e *schemeError) Remedy() remedy.Remedy {
	return remedy.Remedy{Action: remedy.DropScheme, Ref: e.rest}
}
