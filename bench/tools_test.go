//go:build linux

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// craneModule is the peer the report compares with: go-containerregistry's
// CLI, installed into a temporary GOBIN (never added to go.mod).
const craneModule = "github.com/google/go-containerregistry/cmd/crane@v0.22.1"

// tools are the programs the report runs.
type tools struct {
	supctl, limitpull, crane string
	peakrss                  string // the launcher that measures a process
	craneVersion             string
}

// buildTools builds supctl and limitpull with "go build" and installs crane
// with "go install", all into dir.
func buildTools(t *testing.T, dir string) tools {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	tl := tools{
		supctl:    filepath.Join(dir, "supctl"),
		limitpull: filepath.Join(dir, "limitpull"),
		crane:     filepath.Join(dir, "crane"),
		peakrss:   filepath.Join(dir, "peakrss"),
	}
	goCmd(ctx, t, nil, "build", "-o", tl.supctl, "github.com/openshell-contrib/supctl/cmd/supctl")
	goCmd(ctx, t, nil, "build", "-o", tl.limitpull, "github.com/openshell-contrib/supctl/bench/cmd/limitpull")
	goCmd(ctx, t, nil, "build", "-o", tl.peakrss, "github.com/openshell-contrib/supctl/bench/cmd/peakrss")
	goCmd(ctx, t, []string{"GOBIN=" + dir, "GOWORK=off", "GOFLAGS="}, "install", craneModule)
	out, err := exec.CommandContext(ctx, tl.crane, "version").Output()
	if err != nil {
		t.Fatalf("crane version: %v", err)
	}
	tl.craneVersion = strings.TrimSpace(string(out))
	return tl
}

// goCmd runs the go command with extra environment variables.
func goCmd(ctx context.Context, t *testing.T, env []string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
}

// childEnv is the environment of every contender: an empty home and Docker
// configuration, so that nothing of the machine's user leaks in.
func childEnv(t *testing.T, dir string) []string {
	t.Helper()
	home := filepath.Join(dir, "home")
	docker := filepath.Join(home, ".docker")
	if err := os.MkdirAll(docker, 0o700); err != nil {
		t.Fatal(err)
	}
	return []string{"HOME=" + home, "DOCKER_CONFIG=" + docker, "PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
}

// commandOutput runs name with args and returns its trimmed output, or a
// note saying why there is none.
func commandOutput(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("unknown (%s: %v)", name, err)
	}
	return strings.TrimSpace(string(out))
}
