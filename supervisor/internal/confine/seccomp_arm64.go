//go:build linux

package confine

import "golang.org/x/sys/unix"

// auditArch is the only system call ABI a confined run may use (32-bit
// compat calls carry AUDIT_ARCH_ARM); arm64 has no x32-like ABI.
const (
	auditArch = unix.AUDIT_ARCH_AARCH64
	x32Bit    = 0
)

// archDeniedSyscalls are the denied calls only this architecture has.
var archDeniedSyscalls []uintptr
