package resolver

import (
	"fmt"
	"strings"
)

// badReference is the error of a reference that does not parse, with what
// to write instead.
func badReference(ref string, err error) error {
	if _, rest, ok := strings.Cut(ref, "://"); ok {
		return fmt.Errorf("%q: %w: drop the scheme and write %s (HTTPS is used, and plain HTTP for loopback registries or with the insecure option)",
			ref, ErrBadReference, rest)
	}
	detail := strings.TrimSuffix(err.Error(), ": "+ref)
	if detail == "could not parse reference" {
		return fmt.Errorf("%q: %w; want REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST, e.g. ghcr.io/org/supervisor:0.0.47", ref, ErrBadReference)
	}
	return fmt.Errorf("%q: %w (%s); want REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST, e.g. ghcr.io/org/supervisor:0.0.47", ref, ErrBadReference, detail)
}
