package enginetest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// StartPodman starts Podman's API service on a socket of the test, with
// its own storage (vfs) and run directories under the test's temporary
// directory, and returns the socket's path; the service is stopped when
// the test ends. Without podman on PATH the test is skipped, or fails
// when RequireEngineEnv is 1.
func StartPodman(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("podman")
	if err != nil {
		if os.Getenv(RequireEngineEnv) == "1" {
			t.Fatalf("podman is not installed, and %s=1: %v", RequireEngineEnv, err)
		}
		t.Skipf("podman is not installed: %v", err)
	}
	dir, err := os.MkdirTemp("", "supctl-podman-")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "podman.sock")
	cmd := exec.Command(bin, "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--storage-driver", "vfs", "system", "service", "--time=0", "unix://"+sock)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+filepath.Join(dir, "xdg"))
	out, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting podman system service: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		out.Close()
		os.RemoveAll(dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("podman system service exited: %v\n%s", err, log)
		case <-ctx.Done():
			t.Fatalf("podman system service did not create %s", sock)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
