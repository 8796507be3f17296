package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// DefaultRunTimeout bounds a [Run] probe whose timeout is not set.
const DefaultRunTimeout = 5 * time.Second

const (
	maxStdout = 4 << 10 // bytes of --version output kept
	maxStderr = 1 << 10 // bytes of stderr kept for error messages
)

// textBusyBackoff is how long RunProber waits before each retry of a start
// that failed with ETXTBSY.
var textBusyBackoff = []time.Duration{
	10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond,
	80 * time.Millisecond, 160 * time.Millisecond,
}

// RunProber learns a version by running "<path> --version" on this host and
// parsing its output with [ParseVersionLine]. See the package
// documentation for how the binary is run. It runs whatever file it is
// given; [Identify] checks that the file is an ELF executable first.
type RunProber struct {
	// Timeout bounds each run; zero or less means DefaultRunTimeout.
	Timeout time.Duration
}

// Run returns a [RunProber] with the given timeout; zero or less means
// [DefaultRunTimeout].
func Run(timeout time.Duration) Prober { return RunProber{Timeout: timeout} }

// Probe runs b. It returns an error wrapping [ErrNotApplicable] if this
// host cannot run b, and one wrapping [ErrUnknownVersion] if b runs but
// times out, exits with a failure or prints something else than
// "<name> <version>".
func (p RunProber) Probe(ctx context.Context, b Binary) (Version, error) {
	if err := runnableHere(b); err != nil {
		return unknown, err
	}
	path, err := filepath.Abs(b.Path) // never a PATH lookup
	if err != nil {
		return unknown, fmt.Errorf("supervisor: %w", err)
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	var out string
	for attempt := 0; ; attempt++ {
		out, err = runVersion(ctx, path, timeout)
		if err == nil || !isTextBusy(err) || attempt == len(textBusyBackoff) {
			break
		}
		t := time.NewTimer(textBusyBackoff[attempt])
		select {
		case <-ctx.Done():
			t.Stop()
			return unknown, ctx.Err()
		case <-t.C:
		}
	}
	if err != nil {
		return unknown, err
	}
	v, detail := parseVersionLine(b.Name, out)
	if detail != "" {
		return unknown, fmt.Errorf("%w: %s --version: %s", ErrUnknownVersion, path, detail)
	}
	return Version{Version: v, Source: SourceRun}, nil
}

// runnableHere reports, as an error wrapping ErrNotApplicable, why this
// host cannot run b, or nil if it can.
func runnableHere(b Binary) error {
	p := b.Platform
	switch {
	case runtime.GOOS != "linux":
		return fmt.Errorf("%w: cannot run a linux binary on %s", ErrNotApplicable, runtime.GOOS)
	case p.OS != "linux":
		return fmt.Errorf("%w: cannot run a binary for OS %q on linux", ErrNotApplicable, p.OS)
	case p.Architecture != runtime.GOARCH:
		return fmt.Errorf("%w: cannot run a binary for linux/%s on linux/%s", ErrNotApplicable, p.Architecture, runtime.GOARCH)
	case !variantRunsHere(p.Architecture, p.Variant, hostLevel()):
		return fmt.Errorf("%w: cannot be sure this %s host runs variant %q", ErrNotApplicable, p.Architecture, p.Variant)
	}
	return nil
}

// runVersion runs "path --version" once and returns what it printed.
func runVersion(parent context.Context, path string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = []string{} // not nil, which would mean "inherit ours"
	cmd.Dir = "/"
	stdout, stderr := &capWriter{max: maxStdout}, &capWriter{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr // Stdin nil reads from the null device
	cmd.WaitDelay = time.Second             // do not wait long for pipes a stray child holds
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return "", startError(path, err)
	}
	err := cmd.Wait()
	switch {
	case parent.Err() != nil:
		return "", parent.Err()
	case ctx.Err() != nil:
		return "", fmt.Errorf("%w: %s --version did not finish within %v", ErrUnknownVersion, path, timeout)
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		return "", fmt.Errorf("%w: %s --version failed (%v); stderr: %s", ErrUnknownVersion, path, err, quote(stderr.String()))
	}
	return stdout.String(), nil
}

// startError classifies a failure to start path.
func startError(path string, err error) error {
	if cannotExec(err) {
		return fmt.Errorf("%w: cannot execute %s: %w", ErrNotApplicable, path, err)
	}
	return fmt.Errorf("supervisor: starting %s: %w", path, err)
}

// capWriter keeps the first max bytes written to it and discards the rest
// without failing, so a chatty child never blocks or sees a broken pipe.
type capWriter struct {
	buf []byte
	max int
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (w *capWriter) String() string { return string(w.buf) }
