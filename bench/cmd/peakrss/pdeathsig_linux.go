package main

import "syscall"

// dieWithParent makes the kernel kill the command when peakrss dies, so an
// interrupted benchmark leaves no contender running.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
