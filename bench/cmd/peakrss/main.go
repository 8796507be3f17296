//go:build unix

// Command peakrss runs a command and reports how long it took, its peak
// resident set size and its CPU time on file descriptor 3, as one line:
//
//	WALL-NS MAXRSS USER-NS SYS-NS EXIT-UNIX-NS
//
// EXIT-UNIX-NS is the wall-clock time (Unix nanoseconds) at which the
// command's exit was seen, to set beside a network log's times.
// MAXRSS is ru_maxrss of the command (KiB on Linux), including its
// descendants that it waited for.
//
//	peakrss CMD [ARG...]
//
// The benchmarks start contenders through it because a process started by
// a large one, as the test binary is, inherits that process's peak RSS on
// Linux: os/exec starts children with a vfork-like clone, and exec records
// the peak of the memory it replaces, the parent's, as the child's. Started
// from this small program, a child's figure is its own, or this program's
// few MiB if it stays below that.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss CMD [ARG...] (reports on file descriptor 3)")
		os.Exit(2)
	}
	report := os.NewFile(3, "report")
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = dieWithParent()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	exited := time.Now().UnixNano()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(127)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		ru = &syscall.Rusage{}
	}
	if _, err := fmt.Fprintf(report, "%d %d %d %d %d\n", wall.Nanoseconds(), ru.Maxrss, ru.Utime.Nano(), ru.Stime.Nano(), exited); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss: writing the report:", err)
		os.Exit(125)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		if code < 0 {
			code = 1 // killed by a signal
		}
		os.Exit(code)
	}
}
