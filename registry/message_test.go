package registry

import (
	"net/http"
	"net/url"
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
