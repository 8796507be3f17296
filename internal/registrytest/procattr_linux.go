//go:build linux

package registrytest

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to kill the registry if the test binary dies
// without running its cleanups (e.g. on a test timeout), so that no stray
// registry outlives the test run.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
