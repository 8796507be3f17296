package resolver

import (
	"errors"
	"strings"
	"testing"
)

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
