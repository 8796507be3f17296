//go:build unix

package supervisor

import (
	"errors"
	"io/fs"
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a new process group and makes cancellation
// kill the whole group, so children the binary starts die with it.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The leader is not reaped before Cancel returns, so its pid is
		// still the group's id.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// isTextBusy reports whether err is ETXTBSY, which exec returns while some
// process has the file open for writing: typically a file just written
// whose descriptor leaked into a child another goroutine was forking.
func isTextBusy(err error) bool { return errors.Is(err, syscall.ETXTBSY) }

// cannotExec reports whether err means the kernel refused to execute the
// file (no execute permission, a noexec mount, an unknown format), as
// opposed to the file missing or an I/O failure.
func cannotExec(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ENOEXEC)
}
