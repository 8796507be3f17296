package supervisor

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestRunProbeEnv: what a run's outcome depends on changes when a
// handler for the binary's machine is registered or changed, and not for a
// binary of this host's own architecture.
func TestRunProbeEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "binfmt_misc")
	p := RunProber{binfmtDir: dir}
	foreign := Binary{Platform: v1.Platform{OS: "linux", Architecture: "arm64"}}
	if runtime.GOARCH == "arm64" {
		foreign.Platform.Architecture = "amd64"
	}
	native := Binary{Platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}
	var seen []string
	step := func(what string) {
		t.Helper()
		env := p.ProbeEnv(foreign)
		for _, s := range seen {
			if s == env {
				t.Errorf("%s: environment %q seen before", what, env)
			}
		}
		seen = append(seen, env)
		if n := p.ProbeEnv(native); n != seen[0] && strings.Contains(n, "binfmt") {
			t.Errorf("%s: a native binary's environment names binfmt_misc: %q", what, n)
		}
	}
	step("not mounted")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "status"), []byte("enabled\n"), 0o644)
	step("no handler")
	os.WriteFile(filepath.Join(dir, "qemu-aarch64"), []byte(strings.Replace(qemuAarch64Entry, "%s", "OC", 1)), 0o644)
	step("handler without F")
	os.WriteFile(filepath.Join(dir, "qemu-aarch64"), []byte(strings.Replace(qemuAarch64Entry, "%s", "OCF", 1)), 0o644)
	step("handler with F")
}
