package supervisor

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestRunWhileOpenForWriting runs a binary while the test holds it open
// for writing, which would make exec fail with ETXTBSY: the confined run
// executes a private copy, so it succeeds.
func TestRunWhileOpenForWriting(t *testing.T) {
	t.Parallel()
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), "openshell-sandbox")
	b := Binary{Path: path, Platform: linuxPlatform(runtimeArch())}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := exec.Command(path, "--version").Run(); !errors.Is(err, syscall.ETXTBSY) {
		t.Fatalf("running it directly: %v, want ETXTBSY", err)
	}
	got, err := Run(0).Probe(context.Background(), b)
	if err != nil || got.Version != testVersion {
		t.Errorf("Probe = %+v, %v; want %s", got, err, testVersion)
	}
}

// TestStartError: a kernel that refuses the namespaces or the binary makes
// the confined run not applicable, never a reason to run it unconfined.
func TestStartError(t *testing.T) {
	for _, tt := range []struct {
		errno         syscall.Errno
		notApplicable bool
	}{
		{syscall.EPERM, true},
		{syscall.EACCES, true},
		{syscall.EINVAL, true},
		{syscall.ENOSPC, true},
		{syscall.ENOENT, true},
		{syscall.ENOEXEC, true},
		{syscall.ETXTBSY, false},
		{syscall.ENOMEM, false},
	} {
		err := startError(&os.PathError{Op: "fork/exec", Path: "/x", Err: tt.errno}, true)
		if errors.Is(err, ErrNotApplicable) != tt.notApplicable || !errors.Is(err, tt.errno) {
			t.Errorf("startError(%v) = %v; want not applicable: %v", tt.errno, err, tt.notApplicable)
		}
	}
}
