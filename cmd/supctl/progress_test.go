package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestProgressBarOnTerminal runs "supctl pull" as a process with stderr on
// a pseudo-terminal, then with stderr on a pipe, and with --json on the
// terminal: only the first draws a bar.
func TestProgressBarOnTerminal(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "sup:big", fixture.Options{Size: 8 << 20, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pull := func(t *testing.T, stderr func(*exec.Cmd) (string, error), extra ...string) (stdout, errOut string) {
		t.Helper()
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(self, append([]string{"pull", ref, "--platform", "linux/amd64", "--cache-dir", dir}, extra...)...)
		cmd.Env = append(os.Environ(), asSupctl+"=1")
		var out bytes.Buffer
		cmd.Stdout = &out
		errOut, err := stderr(cmd)
		if err != nil {
			t.Fatalf("supctl pull: %v\n%s", err, errOut)
		}
		return out.String(), errOut
	}
	onPTY := func(cmd *exec.Cmd) (string, error) {
		ptm, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		defer ptm.Close()
		if err := pty.Setsize(ptm, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = tty
		if err := cmd.Start(); err != nil {
			tty.Close()
			return "", err
		}
		tty.Close()
		kill := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
		defer kill.Stop()
		var got bytes.Buffer
		_, rerr := io.Copy(&got, ptm) // ends with EIO once the process is gone
		if rerr != nil && !errors.Is(rerr, syscall.EIO) {
			return got.String(), rerr
		}
		return got.String(), cmd.Wait()
	}
	onPipe := func(cmd *exec.Cmd) (string, error) {
		var b bytes.Buffer
		cmd.Stderr = &b
		err := cmd.Run()
		return b.String(), err
	}

	out, tty := pull(t, onPTY)
	if !strings.HasSuffix(out, "/openshell-sandbox\n") {
		t.Errorf("stdout %q: want the path", out)
	}
	if !strings.Contains(tty, "downloading ") || !strings.Contains(tty, "MiB") || !strings.Contains(tty, "%") {
		t.Errorf("no progress bar on the terminal: %q", tty)
	}

	if out, errOut := pull(t, onPipe); errOut != "" || !strings.HasSuffix(out, "/openshell-sandbox\n") {
		t.Errorf("on a pipe: stdout %q, stderr %q; want no bar", out, errOut)
	}
	for _, flag := range []string{"--json", "--log-format=json"} {
		_, tty = pull(t, onPTY, flag)
		if strings.Contains(tty, "downloading ") {
			t.Errorf("%s: a progress bar on the terminal: %q", flag, tty)
		}
	}
}
