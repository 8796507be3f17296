package bench

import "syscall"

// syncFS writes all dirty pages back, so that no run pays for the
// write-back of an earlier one.
func syncFS() { syscall.Sync() }
