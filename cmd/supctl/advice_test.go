package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/remedy"
	"github.com/openshell-contrib/supctl/resolver"
)

// cliWords is each action of package remedy in the CLI's words, as supctl
// prints them, for the remedy cliWordsOf gives it.
var cliWords = map[remedy.Action]string{
	remedy.Pull:               `run "supctl pull --platform linux/arm64 r.example/sup:dev"`,
	remedy.Repull:             `pull a newer tag ("supctl pull --pull always r.example/sup:dev"), pin a compatible digest with "supctl pin", or change the range`,
	remedy.Relink:             `run "supctl pull r.example/sup:dev --pull always --compat '>=0.1.0' --link gw", then restart the gateway`,
	remedy.ReplaceMounted:     `pull a compatible supervisor ("supctl pull --compat ">=0.1.0" IMAGE") and set supervisor_bin in /g.toml to the path it prints; or remove the stale extraction ("supctl gc --gateway-extractions") so the gateway extracts its image again`,
	remedy.ReplaceBinary:      "install a compatible supervisor binary there, or change the range",
	remedy.PinElsewhere:       `check the image on a machine that runs linux/arm64 binaries ("supctl pin --compat" there) and use that digest here without a range`,
	remedy.Platform:           "choose one of those with --platform",
	remedy.OnePlatform:        "pin it with one --platform",
	remedy.BinaryPath:         "--file",
	remedy.Mirror:             "use --mirror",
	remedy.Timeout:            "raise --timeout",
	remedy.DropScheme:         "drop the scheme and write r.example/sup:dev (supctl uses HTTPS, and plain HTTP for loopback registries or with --insecure)",
	remedy.Insecure:           "pass --insecure",
	remedy.Registry:           "use --source registry",
	remedy.Engine:             "use --engine docker",
	remedy.CacheDir:           "set --cache-dir or SUPCTL_CACHE_DIR",
	remedy.OtherCacheDir:      "choose another --cache-dir",
	remedy.LocalCacheDir:      "use --cache-dir",
	remedy.RealCacheDir:       "point --cache-dir at a real directory",
	remedy.Repair:             `"supctl verify --repair"`,
	remedy.Collect:            `"supctl gc" or "supctl verify --repair"`,
	remedy.CollectExtractions: `"supctl gc --gateway-extractions"`,
	remedy.GatewayProgram:     "give the gateway's program with --gateway-bin, or a range with --compat",
	remedy.Range:              "give --compat, or the gateway's program with --gateway-bin",
}

// cliWordsOf is a remedy of action a with every parameter set.
func cliWordsOf(a remedy.Action) remedy.Remedy {
	return remedy.Remedy{Action: a, Ref: "r.example/sup:dev", Platform: "linux/arm64", Platforms: []string{"linux/amd64"},
		Range: ">=0.1.0", Link: "gw", Config: "/g.toml", Engine: "docker", Env: "SUPCTL_CACHE_DIR"}
}

// TestAdvise: every action has the CLI's words, which the CLI finds from
// the typed remedy an error carries, not from its text; the library's
// words name no flag.
func TestAdvise(t *testing.T) {
	for _, a := range remedy.Actions() {
		rm := cliWordsOf(a)
		want, ok := cliWords[a]
		if !ok {
			t.Errorf("action %q: no CLI words in this test's table", a)
		}
		if got := cliAction(rm); got == "" || got != want {
			t.Errorf("action %q in the CLI's words: %q, want %q", a, got, want)
		}
		if lib := rm.String(); strings.Contains(lib, "--") {
			t.Errorf("action %q: the library's words %q name a flag", a, lib)
		}
		// Any error carrying it, whatever the library's words around it.
		rm.Before, rm.After = "first, ", "; last"
		err := fmt.Errorf("pulling: %w", &remedy.Error{Err: errors.New("it failed"), Fix: rm})
		got := advise(err)
		if want := "pulling: it failed; first, " + want + "; last"; got.Error() != want {
			t.Errorf("action %q: advise(%q) = %q, want %q", a, err, got, want)
		}
		if !errors.Is(got, err) {
			t.Errorf("action %q: advise(%q) does not match the error it advises on", a, err)
		}
	}
	if len(cliWords) != len(remedy.Actions()) {
		t.Errorf("%d actions have CLI words in this test, %d in package remedy", len(cliWords), len(remedy.Actions()))
	}
	if advise(nil) != nil {
		t.Error("advise(nil) != nil")
	}
}

// TestAdviseLibraryErrors: the library's typed errors, each as supctl
// printed it before the library dropped flag names.
func TestAdviseLibraryErrors(t *testing.T) {
	ie := &resolver.IncompatibleError{Ref: "r.example/sup:dev", Digest: "sha256:aa", Platform: "linux/amd64", Version: "0.0.37", Range: ">=0.0.47-0"}
	pe := &resolver.PlatformError{Ref: "r.example/sup:dev", Want: "linux/s390x", Have: []string{"linux/amd64", "linux/arm64"}}
	full := &cache.WriteError{Dir: "/c", Op: "writing the binary", Err: syscall.ENOSPC}
	ro := &cache.WriteError{Dir: "/c", Op: "writing record /c/refs/x.json", Err: syscall.EROFS}
	link := &cache.UnsafeError{Path: "/c", Why: "is a symbolic link", Mode: fs.ModeSymlink | 0o777, UID: 1000, UserName: "me"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("pull: %w", ie), `pull: supervisor r.example/sup:dev (sha256:aa, linux/amd64) is version 0.0.37, outside the required range ">=0.0.47-0"; ` +
			`pull a newer tag ("supctl pull --pull always r.example/sup:dev"), pin a compatible digest with "supctl pin", or change the range`},
		{pe, "r.example/sup:dev has no image for platform linux/s390x (it has: linux/amd64, linux/arm64); choose one of those with --platform"},
		{full, "writing the binary in cache directory /c: no space left on device; the file system is full: free space there or choose another --cache-dir"},
		{ro, "writing record /c/refs/x.json in cache directory /c: read-only file system; the cache directory is not writable: make it writable or choose another --cache-dir"},
		{link, strings.TrimSuffix(link.Error(), "or use a real directory as the cache directory") + "or point --cache-dir at a real directory"},
		{&cache.WriteError{Dir: "/c", Op: "writing", Err: syscall.EIO}, "writing in cache directory /c: input/output error"},
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
}

// rewordedError carries a remedy but says it in words of its own, as a
// library message reworded after the CLI was written would: the CLI
// cannot find the remedy's words at its end, so it leaves the message as
// it is rather than guess from its text.
type rewordedError struct{ rm remedy.Remedy }

func (e *rewordedError) Error() string         { return "it failed; perhaps use a mirror" }
func (e *rewordedError) Remedy() remedy.Remedy { return e.rm }

// TestAdviseReworded: a library remedy whose words change keeps its CLI
// advice, since the CLI words the action, not the library's text (a
// phrase table keyed on "try again later or use a mirror" lost it).
func TestAdviseReworded(t *testing.T) {
	rm := remedy.Remedy{Action: remedy.Mirror, Before: "wait an hour, or "}
	if got, want := advise(&remedy.Error{Err: errors.New("it failed"), Fix: rm}).Error(), "it failed; wait an hour, or use --mirror"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := advise(&rewordedError{rm}).Error(), "it failed; perhaps use a mirror"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
