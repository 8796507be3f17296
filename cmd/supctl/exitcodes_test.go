package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUsageExitCodes(t *testing.T) {
	isolate(t)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown command", []string{"pul"}, `unknown command "pul" (did you mean "pull"?)`},
		{"unknown root flag", []string{"--nope"}, "unknown flag: --nope"},
		{"unknown flag", []string{"ls", "--nope"}, "unknown flag: --nope"},
		{"pin bad platform", []string{"pin", "localhost:1/x:y", "--platform", "BAD"}, `platform "BAD"`},
		{"pin bad platform in list", []string{"pin", "localhost:1/x:y", "--platform", "linux/amd64,linux"}, `platform "linux"`},
		{"pull two platforms", []string{"pull", "localhost:1/x:y", "--platform", "linux/amd64,linux/arm64"}, "takes one platform"},
		{"pull bad platform", []string{"pull", "localhost:1/x:y", "--platform", "BAD"}, `platform "BAD"`},
		{"extra argument", []string{"ls", "x"}, "takes no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := supctl(t, tc.args...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tc.msg) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", code, out, errOut, tc.msg)
			}
		})
	}
}

func TestPinCommaPlatforms(t *testing.T) {
	got, err := splitPlatforms([]string{"linux/amd64,linux/arm64", "linux/arm/v7"})
	if err != nil || strings.Join(got, " ") != "linux/amd64 linux/arm64 linux/arm/v7" {
		t.Fatalf("splitPlatforms = %q, %v", got, err)
	}
	if _, err := splitPlatforms([]string{"linux/amd64,"}); exitCode(err) != exitUsage {
		t.Fatalf("trailing comma: %v, exit %d", err, exitCode(err))
	}
}

// TestInterruptExits130 cancels the context of an in-process pull stuck on a
// registry that never answers.
func TestInterruptExits130(t *testing.T) {
	isolate(t)
	hang := stuckRegistry(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var out, errb strings.Builder
	code := run(ctx, []string{"pull", hang + "/sup:dev", "--platform", "linux/amd64"}, &out, &errb)
	if code != exitInterrupted || errb.String() != "supctl: interrupted\n" {
		t.Fatalf("exit %d, stderr %q; want 130 and \"supctl: interrupted\"", code, errb.String())
	}
}

// TestSignalExits130 sends SIGINT to a supctl process stuck on a registry
// that never answers.
func TestSignalExits130(t *testing.T) {
	dir := isolate(t)
	hang := stuckRegistry(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "pull", hang+"/sup:dev", "--platform", "linux/amd64", "--cache-dir", dir, "--log-level", "debug")
	cmd.Env = append(os.Environ(), asSupctl+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Bounded: a process that never logs is killed, and the test fails.
	kill := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	defer kill.Stop()
	// Wait for the first debug line: the process is running its command
	// (and has installed its signal handler).
	buf := make([]byte, 1)
	if _, err := stderr.Read(buf); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = ioDiscard(stderr) }()
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("wait: %v; want exit 130", err)
	}
}

// stuckRegistry serves a registry API that never answers until the test
// ends, and returns its host.
func stuckRegistry(t *testing.T) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return strings.TrimPrefix(srv.URL, "http://")
}

func ioDiscard(r interface{ Read([]byte) (int, error) }) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
}
