package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/resolver"
)

// The library's messages name no flags; the CLI prints its advice with
// them, and the error still matches what it wraps.
func TestAdvise(t *testing.T) {
	ie := &resolver.IncompatibleError{Ref: "r.example/sup:dev", Digest: "sha256:aa", Platform: "linux/amd64", Version: "0.0.37", Range: ">=0.0.47-0"}
	pe := &resolver.PlatformError{Ref: "r.example/sup:dev", Want: "linux/s390x", Have: []string{"linux/amd64", "linux/arm64"}}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("pull: %w", ie), `pull: supervisor r.example/sup:dev (sha256:aa, linux/amd64) is version 0.0.37, outside the required range ">=0.0.47-0"; ` +
			`pull a newer tag ("supctl pull --pull always r.example/sup:dev"), pin a compatible digest with "supctl pin", or change the range`},
		{pe, "r.example/sup:dev has no image for platform linux/s390x (it has: linux/amd64, linux/arm64); choose one of those with --platform"},
		{fmt.Errorf("%w; and more", pe), pe.Error() + "; and more"}, // not at the end: the library's words stay
		{errors.New("other"), "other"},
		{fmt.Errorf("r: registry failed after retries: %w (503); try again later or use a mirror", resolver.ErrUnreachable),
			"r: registry failed after retries: registry unreachable (503); try again later or use --mirror"},
		{fmt.Errorf("r: no layer holds /x: %w; check the image or the binary's path", resolver.ErrNotFound), "r: no layer holds /x: not found; check the image or --file"},
		{fmt.Errorf("r is a single-platform image (d), so it cannot be pinned for 2 platforms; pin it for one platform: %w", resolver.ErrNotFound),
			"r is a single-platform image (d), so it cannot be pinned for 2 platforms; pin it with one --platform: not found"},
		{fmt.Errorf("r: %w; try again later or use a mirror", resolver.ErrNotFound), "r: not found; try again later or use a mirror"}, // not the kind: left
	} {
		got := advise(tc.err)
		if got.Error() != tc.want {
			t.Errorf("advise(%q) =\n%s\nwant\n%s", tc.err, got, tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("advise(%q) does not match the error it advises on", tc.err)
		}
	}
	for _, err := range []error{ie, pe} {
		if strings.Contains(err.Error(), "--") {
			t.Errorf("the library's message names a flag: %s", err)
		}
	}
	if advise(nil) != nil {
		t.Error("advise(nil) != nil")
	}
}
