package resolver

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestRegistrySaid(t *testing.T) {
	u, _ := url.Parse("https://user:secret@registry.example/v2/sup/manifests/nope?token=abc")
	te := &transport.Error{
		StatusCode: http.StatusNotFound,
		Request:    &http.Request{Method: http.MethodGet, URL: u},
		Errors:     []transport.Diagnostic{{Code: transport.ManifestUnknownErrorCode, Message: "manifest unknown", Detail: map[string]any{"Tag": "nope"}}},
	}
	got := registrySaid(te)
	if want := "GET https://registry.example/v2/sup/manifests/nope: MANIFEST_UNKNOWN: manifest unknown"; got != want {
		t.Fatalf("registrySaid = %q, want %q", got, want)
	}
	if got := registrySaid(&transport.Error{StatusCode: 502}); got != "status 502 Bad Gateway" {
		t.Fatalf("no diagnostics: %q", got)
	}
}

func TestBadReferenceMessage(t *testing.T) {
	for ref, want := range map[string]string{
		"https://ghcr.io/org/sup:dev": "drop the scheme and write ghcr.io/org/sup:dev",
		"UPPER/x":                     "want REPOSITORY[:TAG]",
	} {
		_, err := (&Resolver{}).parse(ref)
		if !errors.Is(err, ErrBadReference) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "name.Insecure") {
			t.Errorf("parse(%q): %v; want %q", ref, err, want)
		}
	}
}
