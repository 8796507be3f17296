//go:build unix

package engine

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// setOwnGroup starts cmd in a process group of its own.
func setOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// ignoreSignals makes the reaper outlast the interrupts and hang-ups that
// end supctl: it ends by itself once the pipe says so.
func ignoreSignals() {
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
}
