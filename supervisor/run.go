package supervisor

import (
	"context"
	"fmt"
	"io"
	"os"
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
	root, cleanup, err := privateRoot(b.Path)
	if err != nil {
		return unknown, err
	}
	defer cleanup()
	var out string
	for attempt := 0; ; attempt++ {
		out, err = runConfined(ctx, root, timeout, p.userNS)
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
		return unknown, fmt.Errorf("%s: %w", b.Path, err)
	}
	v, detail := parseVersionLine(b.name(), out)
	if detail != "" {
		return unknown, fmt.Errorf("%w: %s --version (confined): %s", ErrUnknownVersion, b.Path, detail)
	}
	return Version{Version: v, Source: SourceRun}, nil
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

// privateRoot makes the directory a confined run sees as "/": a new
// directory in the system's temporary directory holding only a copy of the
// binary, named as the original, both read-only. The copy drops any set-id
// bits and file capabilities (extended attributes are not copied). cleanup
// removes it.
func privateRoot(path string) (root string, cleanup func(), err error) {
	src, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("supervisor: %w", err)
	}
	defer src.Close()
	dir, err := os.MkdirTemp("", "supctl-run-")
	if err != nil {
		return "", nil, fmt.Errorf("supervisor: making a private root for a confined run: %w", err)
	}
	cleanup = func() { removeAllForce(dir) }
	dst, err := os.OpenFile(filepath.Join(dir, confinedName(path)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err == nil {
		_, err = io.Copy(dst, src)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Chmod(dst.Name(), 0o555)
	}
	if err == nil {
		err = os.Chmod(dir, 0o555)
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("supervisor: copying %s for a confined run: %w", path, err)
	}
	return dir, cleanup, nil
}

// confinedName is the file name the copy of path gets: its own, unless that
// cannot be a file name.
func confinedName(path string) string {
	name := filepath.Base(path)
	if name == "." || name == string(filepath.Separator) || name == ".." {
		return DefaultName
	}
	return name
}

// removeAllForce removes dir even where a run left directories without
// write permission (possible only for the owner, in a user namespace).
func removeAllForce(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	os.RemoveAll(dir)
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
