package shorten

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	long := strings.Repeat("a", Max+1)
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"0.0.47\n\x00", `"0.0.47\n\x00"`},
		{long, `"` + long[:Max] + `"...`},
		{long[:Max], `"` + long[:Max] + `"`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
