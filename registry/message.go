package registry

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
