package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/resolver"
)

// The library's messages name no flags; the CLI prints its advice with
// them, word for word as before, and the error still matches what it
// wraps.
func TestAdvise(t *testing.T) {
	ie := &resolver.IncompatibleError{Ref: "r.example/sup:dev", Digest: "sha256:aa", Platform: "linux/amd64", Version: "0.0.37", Range: ">=0.0.47-0"}
	pe := &resolver.PlatformError{Ref: "r.example/sup:dev", Want: "linux/s390x", Have: []string{"linux/amd64", "linux/arm64"}}
	full := &cache.WriteError{Dir: "/c", Op: "writing the binary", Err: syscall.ENOSPC}
	ro := &cache.WriteError{Dir: "/c", Op: "writing record /c/refs/x.json", Err: syscall.EROFS}
	link := &cache.UnsafeError{Path: "/c", Why: "is a symbolic link", Mode: fs.ModeSymlink | 0o777, UID: 1000, UserName: "me"}
	for _, tc := range []struct {
		err  error
		want string // the CLI's text, as printed before the library dropped flag names
	}{
		{fmt.Errorf("pull: %w", ie), `pull: supervisor r.example/sup:dev (sha256:aa, linux/amd64) is version 0.0.37, outside the required range ">=0.0.47-0"; ` +
			`pull a newer tag ("supctl pull --pull always r.example/sup:dev"), pin a compatible digest with "supctl pin", or change the range`},
		{pe, "r.example/sup:dev has no image for platform linux/s390x (it has: linux/amd64, linux/arm64); choose one of those with --platform"},
		{full, "writing the binary in cache directory /c: no space left on device; the file system is full: free space there or choose another --cache-dir"},
		{ro, "writing record /c/refs/x.json in cache directory /c: read-only file system; the cache directory is not writable: make it writable or choose another --cache-dir"},
		{link, strings.TrimSuffix(link.Error(), "or use a real directory as the cache directory") + "or point --cache-dir at a real directory"},
		{errors.New("other"), "other"},
	} {
		got := advise(tc.err)
		if got.Error() != tc.want {
			t.Errorf("advise(%q) =\n%s\nwant\n%s", tc.err, got, tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("advise(%q) does not match the error it advises on", tc.err)
		}
		if strings.Contains(tc.err.Error(), " --") {
			t.Errorf("the library's message names a flag: %s", tc.err)
		}
	}
	for _, p := range phrases {
		if got, want := cliText("x"+p.lib+"y"), "x"+p.cli+"y"; got != want || strings.Contains(p.lib, "--") || !strings.Contains(p.cli, "--") {
			t.Errorf("phrase %q: %q, want %q (a flag in the CLI's words only)", p.lib, got, want)
		}
	}
	if advise(nil) != nil {
		t.Error("advise(nil) != nil")
	}
}
