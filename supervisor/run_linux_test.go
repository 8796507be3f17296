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
