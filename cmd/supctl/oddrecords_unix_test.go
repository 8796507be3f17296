//go:build unix

package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// A ref record that is a directory or cannot be read (a socket) does not
// fail the pulls of its tag: the pull treats it as absent, goes to the
// registry and records the tag again. verify reports it (exit 6) until
// then. A FIFO in its place blocks neither.
func TestOddRefRecordDoesNotFailPulls(t *testing.T) {
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "odd/ref:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	for _, kind := range []string{"directory", "socket", "fifo"} {
		t.Run(kind, func(t *testing.T) {
			dir := isolate(t)
			code, path, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64")
			if code != 0 {
				t.Fatal(errOut)
			}
			refs, _ := filepath.Glob(filepath.Join(dir, "refs", "*.json"))
			if len(refs) != 1 {
				t.Fatalf("refs: %v", refs)
			}
			os.Remove(refs[0])
			var err error
			switch kind {
			case "directory":
				err = os.Mkdir(refs[0], 0o755)
			case "socket":
				var l net.Listener
				if l, err = net.Listen("unix", refs[0]); err == nil {
					defer l.Close()
				}
			case "fifo":
				err = syscall.Mkfifo(refs[0], 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := supctl(t, "verify"); code != exitCorrupt || !strings.Contains(out, refs[0]) {
				t.Fatalf("verify of a %s ref record: exit %d, %s %s", kind, code, out, errOut)
			}
			code, again, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64")
			if code != 0 || again != path {
				t.Fatalf("pull with a %s ref record: exit %d, %q %s", kind, code, again, errOut)
			}
			if fi, err := os.Lstat(refs[0]); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("the ref was not recorded again: %v %v", fi, err)
			}
			if code, out, errOut := supctl(t, "verify"); code != 0 {
				t.Fatalf("verify after the pull: exit %d, %s %s", code, out, errOut)
			}
		})
	}
}
