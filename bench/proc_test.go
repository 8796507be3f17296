//go:build linux

package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// runTimeout bounds one run of a contender.
const runTimeout = 3 * time.Minute

// sample is one run of a contender.
type sample struct {
	wall   time.Duration // from start to exit
	cpu    time.Duration // user + system CPU time, 0 when not measured
	rssKiB int64         // peak resident set size, KiB; 0 when not measured
	exited time.Time     // when the contender's exit was seen (by peakrss), zero when not measured
	stdout string
}

// command makes a command for a contender with the given environment.
func command(ctx context.Context, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	// Killed with the test binary, however it ends (see interrupt.go).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// runProcess runs cmd to completion, timing it from here. Its CPU time is
// measured; its peak RSS is not (see launch).
func runProcess(cmd *exec.Cmd) (sample, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start), stdout: strings.TrimSpace(stdout.String())}
	if ps := cmd.ProcessState; ps != nil {
		s.cpu = ps.UserTime() + ps.SystemTime()
	}
	if err != nil {
		return s, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.Bytes())
	}
	return s, nil
}

// launch runs name with args through peakrss, which measures the wall
// time, peak RSS and CPU time of that process alone (see cmd/peakrss).
func (b *bed) launch(ctx context.Context, name string, args ...string) (sample, error) {
	return b.launchIn(ctx, "", name, args...)
}

// launchIn is launch in the network namespace netns ("": this process's),
// entered by "ip netns exec", which then executes peakrss.
func (b *bed) launchIn(ctx context.Context, netns, name string, args ...string) (sample, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return sample{}, err
	}
	defer pr.Close()
	cmd := command(ctx, b.env, b.tools.peakrss, append([]string{name}, args...)...)
	if netns != "" {
		cmd = command(ctx, b.env, "ip", append([]string{"netns", "exec", netns, b.tools.peakrss, name}, args...)...)
	}
	cmd.ExtraFiles = []*os.File{pw}
	s, err := runProcess(cmd)
	pw.Close()
	line, rerr := io.ReadAll(pr)
	if err != nil {
		return s, err
	}
	if rerr != nil {
		return s, rerr
	}
	var wall, user, sys, exited int64
	if _, err := fmt.Sscan(string(line), &wall, &s.rssKiB, &user, &sys, &exited); err != nil {
		return s, fmt.Errorf("peakrss reported %q: %v", line, err)
	}
	s.wall, s.cpu, s.exited = time.Duration(wall), time.Duration(user+sys), time.Unix(0, exited)
	return s, nil
}
