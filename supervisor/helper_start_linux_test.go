package supervisor

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/supervisor/internal/confine"
)

// TestHelperStartsEarly: the confined run's first process, this program
// started again, takes over before the program initialises the packages
// the helper does not use (the crypto tables, the regular expressions of
// go-digest, this package, package testing): their initialisation would
// delay every run.
// The helper is started here without its arguments, so it reports that
// and exits; GODEBUG=inittrace=1 lists what was initialised before.
func TestHelperStartsEarly(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = []string{"SUPCTL_REEXEC=" + confine.Name, "GODEBUG=inittrace=1"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 125 {
		t.Fatalf("the helper without arguments: %v, want exit status 125 (stderr %q)", err, stderr.String())
	}
	inits := map[string]bool{}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			inits[f[1]] = true
		}
	}
	if !inits["os"] {
		t.Fatalf("no init of os in the trace; stderr:\n%s", stderr.String())
	}
	for _, p := range []string{"crypto/sha256", "regexp", "github.com/opencontainers/go-digest", "github.com/openshell-contrib/supctl/supervisor", "testing"} {
		if inits[p] {
			t.Errorf("the helper initialised %s before it took over", p)
		}
	}
}
