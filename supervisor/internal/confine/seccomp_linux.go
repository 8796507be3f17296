//go:build linux && (amd64 || arm64)

package confine

import (
	"errors"
	"strconv"
	"syscall"
	"unsafe"
)

// The seccomp filter of a confined run. It is classic BPF over struct
// seccomp_data (nr at offset 0, arch at 4, args[i] at 16+8i, little-endian
// on the architectures it is built for): a system call of another
// architecture ABI (32-bit compat, x32) kills the process; the calls below
// fail with EPERM; clone3 fails with ENOSYS, so a C library falls back to
// clone, whose flags the filter can see; everything else is allowed.

// deniedSyscalls fail with EPERM in a confined run: keyrings, tracing and
// reading other processes, mounts and namespaces, kernel modules and
// images, BPF, perf, userfaultfd, file handles, io_uring (whose operations
// seccomp does not see) and a few calls that only an administrator needs.
var deniedSyscalls = append([]uintptr{
	sysKeyctl, sysAddKey, sysRequestKey,
	sysPtrace, sysProcessVMReadv, sysProcessVMWritev,
	sysPidfdGetfd, sysKcmp, sysProcessMadvise,
	sysMount, sysUmount2, sysPivotRoot, sysChroot,
	sysMoveMount, sysOpenTree, sysOpenTreeAttr, sysMountSetattr,
	sysFsopen, sysFsconfig, sysFsmount, sysFspick,
	sysUnshare, sysSetns,
	sysBPF, sysPerfEventOpen, sysUserfaultfd,
	sysInitModule, sysFinitModule, sysDeleteModule,
	sysKexecLoad, sysKexecFileLoad,
	sysOpenByHandleAt, sysNameToHandleAt,
	sysIOURingSetup, sysIOURingEnter, sysIOURingRegister,
	sysFanotifyInit, sysQuotactl, sysAcct, sysSwapon, sysSwapoff,
	sysReboot, sysSettimeofday, sysClockSettime, sysClockAdjtime,
	sysSethostname, sysSetdomainname,
}, archDeniedSyscalls...)

// namespaceCloneFlags are the clone flags that make new namespaces
// (CLONE_NEWTIME shares its bit with the exit signal in clone's flags, and
// only clone3 and unshare accept it; both are denied whole).
const namespaceCloneFlags = syscall.CLONE_NEWNS | cloneNewCgroup | syscall.CLONE_NEWUTS |
	syscall.CLONE_NEWIPC | syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET

const (
	offNr   = 0
	offArch = 4
	offArg0 = 16 // low 32 bits of args[0]
	offArg1 = 24 // low 32 bits of args[1]

	retAllow = 0x7fff0000 // SECCOMP_RET_ALLOW
	retKill  = 0x80000000 // SECCOMP_RET_KILL_PROCESS
	retEPERM = retErrno | uint32(syscall.EPERM)
	retNoSys = retErrno | uint32(syscall.ENOSYS)
	retErrno = 0x00050000 // SECCOMP_RET_ERRNO
)

const (
	tiocLinux = 0x541c // TIOCLINUX
	perLinux  = 0      // PER_LINUX
)

// filterProgram returns the filter's instructions.
func filterProgram() []sockFilter {
	var p []sockFilter
	stmt := func(code uint16, k uint32) { p = append(p, sockFilter{Code: code, K: k}) }
	jump := func(code uint16, k uint32, jt, jf uint8) {
		p = append(p, sockFilter{Code: code, Jt: jt, Jf: jf, K: k})
	}
	const (
		ld   = syscall.BPF_LD | syscall.BPF_W | syscall.BPF_ABS
		jeq  = syscall.BPF_JMP | syscall.BPF_JEQ | syscall.BPF_K
		jge  = syscall.BPF_JMP | syscall.BPF_JGE | syscall.BPF_K
		jset = syscall.BPF_JMP | syscall.BPF_JSET | syscall.BPF_K
		ret  = syscall.BPF_RET | syscall.BPF_K
	)
	stmt(ld, offArch)
	jump(jeq, auditArch, 1, 0)
	stmt(ret, retKill)
	stmt(ld, offNr)
	if x32Bit != 0 {
		jump(jge, x32Bit, 0, 1)
		stmt(ret, retKill)
	}
	for _, nr := range deniedSyscalls {
		jump(jeq, uint32(nr), 0, 1)
		stmt(ret, retEPERM)
	}
	jump(jeq, sysClone3, 0, 1)
	stmt(ret, retNoSys)
	// clone: flags in args[0] (the low 32 bits hold them all).
	jump(jeq, sysClone, 0, 4)
	stmt(ld, offArg0)
	jump(jset, namespaceCloneFlags, 0, 1)
	stmt(ret, retEPERM)
	stmt(ret, retAllow)
	// ioctl: no faking terminal input (TIOCSTI) or console tricks (TIOCLINUX).
	jump(jeq, sysIoctl, 0, 5)
	stmt(ld, offArg1)
	jump(jeq, syscall.TIOCSTI, 2, 0)
	jump(jeq, tiocLinux, 1, 0)
	stmt(ret, retAllow)
	stmt(ret, retEPERM)
	// prctl: the parent-death signal stays as set.
	jump(jeq, sysPrctl, 0, 4)
	stmt(ld, offArg0)
	jump(jeq, prSetPdeathsig, 0, 1)
	stmt(ret, retEPERM)
	stmt(ret, retAllow)
	// personality: only reading it (0xffffffff) or setting plain PER_LINUX.
	jump(jeq, sysPersonality, 0, 5)
	stmt(ld, offArg0)
	jump(jeq, 0xffffffff, 2, 0)
	jump(jeq, perLinux, 1, 0)
	stmt(ret, retEPERM)
	stmt(ret, retAllow)
	stmt(ret, retAllow)
	return p
}

// installFilter sets no_new_privs (which an unprivileged filter needs) and
// installs the filter on every thread of this process.
func installFilter() error {
	if err := prctl(prSetNoNewPrivs, 1); err != nil {
		return wrap("setting no_new_privs", err)
	}
	prog := filterProgram()
	fprog := sockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, errno := syscall.Syscall(sysSeccomp, seccompSetModeFilter,
		seccompFilterFlagTsync, uintptr(unsafe.Pointer(&fprog)))
	switch {
	case errno != 0:
		return wrap("installing the seccomp filter", errno)
	case r != 0:
		return errors.New("installing the seccomp filter: thread " + strconv.FormatUint(uint64(r), 10) + " could not take it")
	}
	return nil
}

// sockFilter and sockFprog are struct sock_filter and struct sock_fprog.
type sockFilter struct {
	Code uint16
	Jt   uint8
	Jf   uint8
	K    uint32
}

type sockFprog struct {
	Len    uint16
	Filter *sockFilter
}

const (
	seccompSetModeFilter   = 1 // SECCOMP_SET_MODE_FILTER
	seccompFilterFlagTsync = 1 // SECCOMP_FILTER_FLAG_TSYNC
	cloneNewCgroup         = 0x02000000
)
