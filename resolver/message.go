package resolver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// registrySaid is what a registry's error response said, in its own terms:
// the request (its URL without credentials or query) and each error code
// and message, without the free-form detail (a Go map once printed).
func registrySaid(te *transport.Error) string {
	var parts []string
	for _, d := range te.Errors {
		parts = append(parts, fmt.Sprintf("%s: %s", d.Code, d.Message))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("status %d %s", te.StatusCode, http.StatusText(te.StatusCode)))
	}
	msg := strings.Join(parts, "; ")
	if te.Request != nil && te.Request.URL != nil {
		u := *te.Request.URL
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		msg = te.Request.Method + " " + u.String() + ": " + msg
	}
	return msg
}

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
