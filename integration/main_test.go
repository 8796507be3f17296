// Package integration runs the supctl command as a real process against
// real registry processes (Debian's docker-registry, CNCF distribution
// v2.8, started by internal/registrytest) serving real supervisor images
// (internal/fixture), and checks what a user sees: the printed path or JSON
// document, the bytes and mode of the file at that path, the exit code, the
// one-line error on stderr, and, as a proxy in front of the registry
// recorded them, which requests each pull cost.
//
// TestMain builds supctl once; every test runs it with its own cache, home
// and Docker config directories, so nothing of the machine running the tests
// leaks in.
package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"testing"
)

var (
	// supctlBin is the supctl binary built by TestMain.
	supctlBin string
	// fixtureDir receives the fixture binaries of every test; they are
	// named by version and platform, so tests can share it.
	fixtureDir string
	// raceBuild says whether supctl was built with the race detector (it is
	// when the tests are), so that a data race in a pull fails the test.
	raceBuild bool
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "supctl-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	fixtureDir = filepath.Join(tmp, "fixtures")
	if err := os.Mkdir(fixtureDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	raceBuild = testsRace()
	supctlBin = filepath.Join(tmp, "supctl")
	if err := buildSupctl(supctlBin, raceBuild); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	return m.Run()
}

// buildSupctl compiles ./cmd/supctl of this module into out.
func buildSupctl(out string, race bool) error {
	args := []string{"build", "-o", out}
	if race {
		args = append(args, "-race")
	}
	args = append(args, "github.com/openshell-contrib/supctl/cmd/supctl")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	// "go" from PATH: go test puts the running toolchain's first on it.
	cmd := exec.CommandContext(ctx, "go", args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v: %v\n%s", args, err, stderr.Bytes())
	}
	return nil
}

// testsRace reports whether this test binary was built with -race.
func testsRace() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
