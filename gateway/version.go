package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/supervisor"
)

// BinaryName is the gateway's program (the [[bin]] of NVIDIA/OpenShell
// crates/openshell-server/Cargo.toml).
const BinaryName = "openshell-gateway"

// DefaultVersionTimeout bounds "openshell-gateway --version".
const DefaultVersionTimeout = 10 * time.Second

// Binary is the gateway's program and its version.
type Binary struct {
	Path    string `json:"path,omitempty"`
	Source  string `json:"source,omitempty"` // "given" or "PATH"
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
}

// gatewayVersion runs the gateway's own program with --version: the
// user's installed program, not registry content, so it runs as the user,
// with a timeout and its output capped. Its first line is "<name>
// <version>" (clap's version of the program as invoked;
// crates/openshell-server/src/cli.rs, version = openshell_core::VERSION).
func gatewayVersion(ctx context.Context, path string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	var out capped
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("%s --version did not finish within %s", path, timeout)
	}
	if err != nil {
		return "", fmt.Errorf("%s --version: %v: %s", path, err, bytes.TrimSpace(out.b))
	}
	var last error
	for _, name := range []string{filepath.Base(path), BinaryName, "openshell-server"} {
		v, err := supervisor.ParseVersionLine(name, string(out.b))
		if err == nil {
			return v, nil
		}
		last = err
	}
	return "", fmt.Errorf("%s --version: %w", path, last)
}

// capped keeps the first 4 KiB written to it.
type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := 4096 - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// DerivedRange is the range of supervisors a gateway of version v speaks
// to, when no range is given: the same release line, from the first
// pre-release of its MAJOR.MINOR.PATCH to the first of the next patch
// (0.0.47-dev.12 -> ">=0.0.47-0 <0.0.48-0"). Upstream builds the gateway
// and the supervisor from one tree and one version (the default image's
// tag is the gateway's own version), so a supervisor of another release
// line is not one it was built with.
func DerivedRange(v string) (*compat.Range, error) {
	if !compat.ValidVersion(v) {
		return nil, fmt.Errorf("gateway version %q is not a semantic version", v)
	}
	core, _, _ := strings.Cut(v, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return nil, errors.New("gateway version " + v + " is not MAJOR.MINOR.PATCH")
	}
	patch, err := strconv.Atoi(parts[2])
	if err != nil {
		return nil, err
	}
	return compat.Parse(fmt.Sprintf(">=%s-0 <%s.%s.%d-0", core, parts[0], parts[1], patch+1))
}
