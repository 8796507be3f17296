package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadBuildVersion(t *testing.T) {
	stamp := func(v string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: v}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	plat := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"go build, no VCS", stamp("(devel)"), "supctl devel, go1.99.1 " + plat},
		{"go build in a clone", stamp("v0.0.0-20261201192606-be8e7a531600", "vcs.revision", "be8e7a5316001234", "vcs.modified", "false"),
			"supctl v0.0.0-20261201192606-be8e7a531600, commit be8e7a5316001234, go1.99.1 " + plat},
		{"dirty tree", stamp("v0.0.0-20261201192606-be8e7a531600+dirty", "vcs.revision", "be8e7a5316001234", "vcs.modified", "true"),
			"supctl v0.0.0-20261201192606-be8e7a531600+dirty, commit be8e7a5316001234 (modified), go1.99.1 " + plat},
		{"go install of a release", stamp("v0.2.0"), "supctl v0.2.0, go1.99.1 " + plat},
	}
	for _, tc := range tests {
		if got := readBuildVersion(tc.bi, true).String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := readBuildVersion(nil, false); got.Version != "devel" || got.Go != runtime.Version() {
		t.Errorf("no build info: %+v", got)
	}
}

func TestVersionFlagAndCommand(t *testing.T) {
	_, byFlag, _ := supctl(t, "--version")
	code, byCmd, _ := supctl(t, "version")
	if code != 0 || byFlag != byCmd || !strings.HasPrefix(byCmd, "supctl ") || !strings.Contains(byCmd, runtime.Version()) {
		t.Fatalf("--version %q, version %q (exit %d)", byFlag, byCmd, code)
	}
}

// TestVersionOfBuiltBinary builds supctl with the go command and checks it
// reports the commit it was built from.
func TestVersionOfBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds supctl")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "supctl")
	// "go" from PATH: go test puts the running toolchain's first on it.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v buildVersion
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if v.Commit == "" {
		// The go command stamps no VCS information in some checkouts
		// (a git worktree, for one); a clone has it.
		t.Skipf("the go command recorded no commit here: %s", out)
	}
	if v.Commit != strings.TrimSpace(string(head)) || v.Version == "devel" || v.Go != runtime.Version() {
		t.Fatalf("version %+v; want commit %s and a version", v, head)
	}
}
