package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestHangingVersion: a supervisor whose --version never ends is refused
// under a range (exit 3, unknown version) after one probe timeout on its
// cold pull, and warm pulls reuse the recorded probe instead of running it
// again; --pull always asks again.
func TestHangingVersion(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	_, ref := reg.push(t, "openshell/supervisor:hang", fixture.Options{Version: fixture.HangingVersion})
	u := newUser(t)
	pull := func(args ...string) outcome {
		t.Helper()
		o := u.supctl(t, append([]string{"pull", ref, "--platform", "linux/amd64", "--compat", ">=0.0.47-0", "--log-level", "debug"}, args...)...)
		t.Logf("pull %v: exit %d after %v", args, o.code, o.took.Round(time.Millisecond))
		if o.code != 3 || !strings.Contains(o.stderr, "unknown") {
			t.Errorf("want exit 3, version unknown\n%s", o)
		}
		return o
	}
	if o := pull(); !strings.Contains(o.stderr, "did not finish") || !strings.Contains(o.stderr, "not tried") {
		t.Errorf("cold pull: want the run's timeout, and the engine not tried after it\n%s", o)
	}
	for _, policy := range []string{"never", "if-stale"} {
		if o := pull("--pull", policy); !strings.Contains(o.stderr, "version-probe-reused") {
			t.Errorf("warm pull (--pull %s) probed again\n%s", policy, o)
		}
	}
	if o := pull("--pull", "always"); strings.Contains(o.stderr, "version-probe-reused") {
		t.Errorf("--pull always reused the recorded probe\n%s", o)
	}
}
