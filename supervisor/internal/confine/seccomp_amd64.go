//go:build linux

package confine

import "golang.org/x/sys/unix"

// auditArch is the only system call ABI a confined run may use; x32Bit
// marks x32 system call numbers, which share the architecture value.
const (
	auditArch = unix.AUDIT_ARCH_X86_64
	x32Bit    = 0x40000000
)

// archDeniedSyscalls are the denied calls only this architecture has.
var archDeniedSyscalls = []uintptr{unix.SYS_IOPL, unix.SYS_IOPERM, unix.SYS_USELIB, unix.SYS_CREATE_MODULE}
