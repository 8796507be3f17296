// Package reexec runs a part of the library in a fresh process of the
// current program: the confined version run and the engine probe's reaper
// need a process of their own that does a few system calls before it
// executes something else, which Go's fork and exec cannot do in between.
//
// A package that needs such a process calls [Handle] from its init
// function. [Command] starts the current executable (through
// /proc/self/exe, so a program replaced on disk since it started still
// works) with one environment variable naming the handler; that process's
// init of the same package finds the variable, runs the handler and exits
// with its status before main runs. Every other process returns from
// [Handle] at once.
//
// The environment of the new process is that one variable only, unless
// the caller adds to the command's Env; a handler receives its arguments
// in os.Args[1:].
package reexec

import (
	"context"
	"os"
	"os/exec"
	"runtime"
)

// envName is the variable that names the handler a process runs. The
// supervisor's confined run reads it without this package (in
// supervisor/internal/confine), whose imports would make it start later.
const envName = "SUPCTL_REEXEC"

// Handle runs fn and exits with the status it returns if this process was
// started by [Command] for name; otherwise it returns at once. It is meant
// to be called from an init function.
func Handle(name string, fn func() int) {
	if os.Getenv(envName) != name || name == "" {
		return
	}
	os.Exit(fn())
}

// Command returns a command that runs the current program as the handler
// registered for name, with args as os.Args[1:] and argv[0] "supctl-"+name
// (what ps shows). It works on Linux only; elsewhere the command fails to
// start.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	self := "/proc/self/exe"
	if runtime.GOOS != "linux" {
		if p, err := os.Executable(); err == nil {
			self = p
		}
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Args[0] = "supctl-" + name
	cmd.Env = []string{envName + "=" + name}
	return cmd
}
