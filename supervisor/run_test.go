package supervisor

import (
	"github.com/openshell-contrib/supctl/internal/fixture"

	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runAs runs the native fakesup under name (which picks its behaviour).
func runAs(t *testing.T, name string, timeout time.Duration) (Version, error) {
	t.Helper()
	needHost(t)
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), name)
	return Run(timeout).Probe(context.Background(), Binary{Path: path, Platform: linuxPlatform(runtimeArch())})
}

func TestRun(t *testing.T) {
	t.Parallel()
	got, err := runAs(t, "openshell-sandbox", 0)
	if want := (Version{testVersion, MethodRun}); err != nil || got != want {
		t.Errorf("Probe = %+v, %v; want %+v", got, err, want)
	}
}

func TestRunIsolated(t *testing.T) {
	t.Parallel()
	// fakesup prints the sizes of its environment, of its stdin and of
	// its working directory's name.
	got, err := runAs(t, "env", 0)
	if want := "1.0.0-env.0.stdin.0.wd.1"; err != nil || got.Version != want {
		t.Errorf("Probe = %+v, %v; want %s (empty environment, empty stdin, in /)", got, err, want)
	}
}

func TestRunChattyOutput(t *testing.T) {
	t.Parallel()
	// A valid first line followed by 1 MiB on each stream: the excess is
	// discarded without blocking the child.
	got, err := runAs(t, "flood", 0)
	if err != nil || got.Version != "1.0.0" {
		t.Errorf("Probe = %+v, %v; want 1.0.0", got, err)
	}
}

func TestRunUnknown(t *testing.T) {
	t.Parallel()
	// The details tell a prompt failure from a timeout; the hang's bound
	// (its timeout, the second the run waits for stray pipes, and room
	// for a loaded machine) tells a run killed at its timeout from one
	// that waits for the binary.
	tests := []struct {
		name    string
		timeout time.Duration
		detail  string // the error message must contain it
	}{
		{"exit3", 0, "exit status 3"},
		{"garbage", 0, `"hello world"`},
		{"hang", 300 * time.Millisecond, "did not finish within 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			needHost(t)
			path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), tt.name)
			start := time.Now()
			got, err := Run(tt.timeout).Probe(context.Background(), Binary{Path: path, Platform: linuxPlatform(runtimeArch())})
			d := time.Since(start)
			if !errors.Is(err, ErrUnknownVersion) || got != unknown {
				t.Fatalf("Probe = %+v, %v; want ErrUnknownVersion", got, err)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q lacks %q", err, tt.detail)
			}
			if tt.timeout > 0 && d > tt.timeout+time.Second+10*time.Second {
				t.Errorf("Probe took %v, with a timeout of %v", d, tt.timeout)
			}
		})
	}
}

func TestRunKillsProcessGroup(t *testing.T) {
	t.Parallel()
	needHost(t)
	name := "hangchild_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), name)
	_, err := Run(500*time.Millisecond).Probe(context.Background(), Binary{Path: path, Platform: linuxPlatform(runtimeArch())})
	if !errors.Is(err, ErrUnknownVersion) {
		t.Fatalf("Probe error = %v, want ErrUnknownVersion", err)
	}
	// The binary and its child died with the run's PID namespace.
	if pids := processesWith(name); len(pids) > 0 {
		t.Errorf("processes %v of the timed-out run survived it", pids)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	needHost(t)
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := Run(time.Minute).Probe(ctx, Binary{Path: path, Platform: linuxPlatform(runtimeArch())})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnknownVersion) {
		t.Errorf("Probe error = %v, want the context's error, not ErrUnknownVersion", err)
	}
}

func TestRunNotApplicable(t *testing.T) {
	t.Parallel()
	needHost(t)
	fixture.ForeignUnrunnable(t, foreignArch())
	native := fakeSupervisor(t, runtimeArch(), testVersion)
	noExec := writeFile(t, []byte("#!/bin/sh\necho openshell-sandbox 1.0.0\n")) // mode 0644
	tests := []struct {
		name string
		b    Binary
	}{
		{"foreign arch", Binary{Path: fakeSupervisor(t, foreignArch(), foreignVersion), Platform: linuxPlatform(foreignArch())}},
		{"other OS", Binary{Path: native, Platform: v1Platform("windows", runtimeArch(), "")}},
		{"unknown variant", Binary{Path: native, Platform: v1Platform("linux", runtimeArch(), "v99")}},
		{"not executable", Binary{Path: noExec, Platform: linuxPlatform(runtimeArch())}},
	}
	for _, tt := range tests {
		if _, err := Run(0).Probe(context.Background(), tt.b); !errors.Is(err, ErrNotApplicable) {
			t.Errorf("%s: Probe error = %v, want ErrNotApplicable", tt.name, err)
		}
	}
}

func TestRunMissingFile(t *testing.T) {
	t.Parallel()
	needHost(t)
	b := Binary{Path: filepath.Join(t.TempDir(), "nope"), Platform: linuxPlatform(runtimeArch())}
	_, err := Run(0).Probe(context.Background(), b)
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrUnknownVersion) || errors.Is(err, ErrNotApplicable) {
		t.Errorf("Probe error = %v, want a real fs.ErrNotExist error", err)
	}
}

func TestVariantRunsHere(t *testing.T) {
	tests := []struct {
		arch, variant string
		level         int
		want          bool
	}{
		{"amd64", "", 1, true},
		{"amd64", "v1", 1, true},
		{"amd64", "v3", 1, false},
		{"amd64", "v3", 3, true},
		{"amd64", "v4", 3, false},
		{"arm", "v6", 7, true},
		{"arm", "v7", 7, true},
		{"arm", "v7", 6, false},
		{"arm64", "v8", 0, true},
		{"arm64", "v9", 0, false},
		{"amd64", "x86-64-v2", 4, false},
		{"amd64", "v0", 4, false},
		{"riscv64", "v1", 0, false},
	}
	for _, tt := range tests {
		if got := variantRunsHere(tt.arch, tt.variant, tt.level); got != tt.want {
			t.Errorf("variantRunsHere(%q, %q, %d) = %v, want %v", tt.arch, tt.variant, tt.level, got, tt.want)
		}
	}
}

func TestCapWriter(t *testing.T) {
	w := &capWriter{max: 5}
	for _, s := range []string{"abc", "defg", "hij"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Errorf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := w.String(); got != "abcde" {
		t.Errorf("kept %q, want %q", got, "abcde")
	}
}
