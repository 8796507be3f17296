package main

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestMessagesInUsersTerms runs common failures and checks their one error
// line says nothing of Go's internals, temporary paths or doubled prefixes.
func TestMessagesInUsersTerms(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	amd := []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	_, ref := pushFixture(t, reg, "sup:dev", fixture.Options{Platforms: amd})
	_, script := pushFixture(t, reg, "script:dev", fixture.Options{Hostile: fixture.HostileScript, Platforms: amd})
	_, wrong := pushFixture(t, reg, "wrong:dev", fixture.Options{Hostile: fixture.HostileWrongArch, Platforms: amd})

	forbidden := []string{"map[", "name.Insecure", ".tmp-", "file does not exist", "compat: bad range", "resolver: ",
		"supctl: supctl", "--compat: ", "*resolver.", "*cache.", "%!"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"pull", reg.Host() + "/sup:nope"}, "MANIFEST_UNKNOWN"},
		{[]string{"pull", script, "--platform", "linux/amd64"}, "not an ELF file"},
		{[]string{"pull", wrong, "--platform", "linux/amd64"}, "linux/amd64"},
		{[]string{"pull", ref, "--pull", "never", "--platform", "linux/arm64"}, "not cached; the pull policy is never"},
		{[]string{"pull", "https://" + ref}, "drop the scheme"},
		{[]string{"pull", ref, "--compat", ">=0.x"}, `--compat ">=0.x": ">=0.x" at offset 0 is not a semantic version`},
		{[]string{"pull", ref, "--file", "relative"}, `binary path "relative"`},
		{[]string{"gc", "--max-unused", "-1d"}, "negative; want a duration"},
		{[]string{"inspect", "/no/such/supervisor"}, "no such file"},
	}
	for _, tc := range tests {
		code, _, errOut := supctl(t, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want it to say %q", tc.args, code, errOut, tc.want)
		}
		for _, f := range forbidden {
			if strings.Contains(errOut, f) {
				t.Errorf("%q: stderr %q contains %q", tc.args, errOut, f)
			}
		}
	}
}

// TestInspectUnknownVersion: a binary whose version cannot be learned is
// "unknown" under a range, not "outside" it.
func TestInspectUnknownVersion(t *testing.T) {
	isolate(t)
	bin, err := fixture.BuildSupervisor(context.Background(), t.TempDir(), "amd64", "not-a-version")
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := supctl(t, "inspect", bin, "--platform", "linux/amd64", "--compat", ">=0.1.0")
	if code != exitIncompatible || !strings.Contains(out, "unknown (required: >=0.1.0)") || strings.Contains(out, "outside") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
