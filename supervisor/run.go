package supervisor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// DefaultRunTimeout bounds a confined [Run] of a binary on this host whose
// timeout is not set. A run in a container has its own, longer bound, the
// engine package's DefaultContainerTimeout.
const DefaultRunTimeout = 5 * time.Second

const (
	maxStdout = 4 << 10 // bytes of --version output kept
	maxStderr = 1 << 10 // bytes of stderr kept for error messages
)

// RunProber learns a version by running "<bin> --version" on this host,
// confined, and parsing its output with [ParseVersionLine]. The package
// documentation says when it runs a binary and how it confines it. It never
// runs a binary unconfined: where the confinement cannot be set up, it is
// not applicable.
type RunProber struct {
	// Timeout bounds each run; zero or less means DefaultRunTimeout.
	Timeout time.Duration

	binfmtDir string // "" means BinfmtDir; tests point it elsewhere
	userNS    bool   // confine in a user namespace even as root (tests)
}

// Run returns a [RunProber] with the given timeout; zero or less means
// [DefaultRunTimeout].
func Run(timeout time.Duration) Prober { return RunProber{Timeout: timeout} }

// Probe runs b confined. It returns an error wrapping [ErrNotApplicable] if
// this host cannot run b or cannot confine it, and one wrapping
// [ErrUnknownVersion] if b runs but times out, exits with a failure or
// prints something else than "<name> <version>".
func (p RunProber) Probe(ctx context.Context, b Binary) (Version, error) {
	if err := p.runnableHere(b); err != nil {
		return unknown, err
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	// A file that is missing or unreadable is an error of its own, not a
	// confinement that cannot be set up.
	f, err := os.Open(b.Path)
	if err != nil {
		return unknown, err
	}
	f.Close()
	out, err := runConfined(ctx, b.Path, timeout, p.userNS)
	if err != nil {
		return unknown, fmt.Errorf("%s: %w", b.Path, err)
	}
	v, detail := parseVersionLine(b.name(), out)
	if detail != "" {
		return unknown, fmt.Errorf("%w: %s --version (confined): %s", ErrUnknownVersion, b.Path, detail)
	}
	return Version{Version: v, Method: MethodRun}, nil
}

// runnableHere reports, as an error wrapping ErrNotApplicable, why this
// host's kernel cannot run b, or nil if it can: natively, or through a
// binfmt_misc handler (such as qemu-user) registered for its ELF machine.
func (p RunProber) runnableHere(b Binary) error {
	pl := b.Platform
	switch {
	case runtime.GOOS != "linux":
		return fmt.Errorf("%w: cannot run a linux binary on %s", ErrNotApplicable, runtime.GOOS)
	case pl.OS != "linux":
		return fmt.Errorf("%w: cannot run a binary for OS %q on linux", ErrNotApplicable, pl.OS)
	case pl.Architecture == runtime.GOARCH:
		if !variantRunsHere(pl.Architecture, pl.Variant, hostLevel()) {
			return fmt.Errorf("%w: cannot be sure this %s host runs variant %q", ErrNotApplicable, pl.Architecture, pl.Variant)
		}
		return nil
	}
	if !variantRunsHere(pl.Architecture, pl.Variant, emulatedLevel(pl.Architecture)) {
		return fmt.Errorf("%w: cannot be sure an emulator runs linux/%s variant %q", ErrNotApplicable, pl.Architecture, pl.Variant)
	}
	dir := p.binfmtDir
	if dir == "" {
		dir = BinfmtDir
	}
	_, why, err := binfmtFor(dir, b.Path)
	if err != nil {
		return err
	}
	if why != "" {
		return fmt.Errorf("%w: this linux/%s host cannot run a linux/%s binary: %s", ErrNotApplicable, runtime.GOARCH, pl.Architecture, why)
	}
	return nil
}

// emulatedLevel is the CPU level an emulator is assumed to provide.
func emulatedLevel(arch string) int {
	switch arch {
	case "amd64":
		return 3
	case "arm":
		return 7
	}
	return 0
}

// confinedName is the name the binary at path gets in the root of its
// confined run: its own, unless that cannot be a file name.
func confinedName(path string) string {
	name := filepath.Base(path)
	if name == "." || name == string(filepath.Separator) || name == ".." {
		return DefaultName
	}
	return name
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
