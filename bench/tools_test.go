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

// The peers the report compares with, installed from the Go module proxy
// into a temporary GOBIN (never added to go.mod): go-containerregistry's
// CLI, regclient's and ORAS's.
const (
	craneModule  = "github.com/google/go-containerregistry/cmd/crane@v0.22.1"
	regctlModule = "github.com/regclient/regclient/cmd/regctl@v0.11.7"
	orasModule   = "oras.land/oras/cmd/oras@v1.3.6"
)

// isalPackage is the Debian package of ISA-L's igzip, the fastest gzip
// inflater packaged for this machine: the report installs it with apt-get
// when igzip is missing and it runs as root.
const isalPackage = "isal"

// tools are the programs the report runs.
type tools struct {
	supctl, limitpull, crane string
	regctl, oras             string
	igzip                    string // "" when it could not be installed
	peakrss                  string // the launcher that measures a process
	craneVersion             string
	versions                 string // of the peers, for the report
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
	for _, m := range []string{craneModule, regctlModule, orasModule} {
		goCmd(ctx, t, []string{"GOBIN=" + dir, "GOWORK=off", "GOFLAGS="}, "install", m)
	}
	tl.regctl, tl.oras = filepath.Join(dir, "regctl"), filepath.Join(dir, "oras")
	out, err := exec.CommandContext(ctx, tl.crane, "version").Output()
	if err != nil {
		t.Fatalf("crane version: %v", err)
	}
	tl.craneVersion = strings.TrimSpace(string(out))
	tl.igzip = installIgzip(ctx, t)
	igzip := "igzip not available"
	if tl.igzip != "" {
		f := strings.Fields("? " + firstLine(commandOutput("", tl.igzip, "--version")))
		igzip = "igzip " + f[len(f)-1]
	}
	tl.versions = fmt.Sprintf("crane %s, regctl %s, oras %s, %s (Debian's %s), curl %s", tl.craneVersion,
		versionOf(regctlModule), versionOf(orasModule), igzip, isalPackage, strings.Fields(commandOutput("", "curl", "--version") + " ? ?")[1])
	return tl
}

// installIgzip finds igzip, installing Debian's isal package if needed and
// possible; "" if neither.
func installIgzip(ctx context.Context, t *testing.T) string {
	if p, err := exec.LookPath("igzip"); err == nil {
		return p
	}
	if os.Geteuid() == 0 {
		out, err := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", isalPackage).CombinedOutput()
		if err != nil {
			t.Logf("apt-get install %s: %v\n%s", isalPackage, err, out)
		}
	}
	p, _ := exec.LookPath("igzip")
	return p
}

func versionOf(module string) string { return module[strings.LastIndexByte(module, '@')+1:] }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
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
