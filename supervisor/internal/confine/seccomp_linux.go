package confine

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
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
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY,
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV,
	unix.SYS_PIDFD_GETFD, unix.SYS_KCMP, unix.SYS_PROCESS_MADVISE,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT,
	unix.SYS_MOVE_MOUNT, unix.SYS_OPEN_TREE, unix.SYS_OPEN_TREE_ATTR, unix.SYS_MOUNT_SETATTR,
	unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
	unix.SYS_UNSHARE, unix.SYS_SETNS,
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD,
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT,
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	unix.SYS_FANOTIFY_INIT, unix.SYS_QUOTACTL, unix.SYS_ACCT, unix.SYS_SWAPON, unix.SYS_SWAPOFF,
	unix.SYS_REBOOT, unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME,
	unix.SYS_SETHOSTNAME, unix.SYS_SETDOMAINNAME,
}, archDeniedSyscalls...)

// namespaceCloneFlags are the clone flags that make new namespaces
// (CLONE_NEWTIME shares its bit with the exit signal in clone's flags, and
// only clone3 and unshare accept it; both are denied whole).
const namespaceCloneFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

const (
	offNr   = 0
	offArch = 4
	offArg0 = 16 // low 32 bits of args[0]
	offArg1 = 24 // low 32 bits of args[1]

	retAllow = unix.SECCOMP_RET_ALLOW
	retKill  = unix.SECCOMP_RET_KILL_PROCESS
	retEPERM = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retNoSys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

const (
	tiocLinux = 0x541c // TIOCLINUX
	perLinux  = 0      // PER_LINUX
)

// filterProgram returns the filter's instructions.
func filterProgram() []unix.SockFilter {
	var p []unix.SockFilter
	stmt := func(code uint16, k uint32) { p = append(p, unix.SockFilter{Code: code, K: k}) }
	jump := func(code uint16, k uint32, jt, jf uint8) {
		p = append(p, unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k})
	}
	const (
		ld   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jge  = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
		jset = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
		ret  = unix.BPF_RET | unix.BPF_K
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
	jump(jeq, unix.SYS_CLONE3, 0, 1)
	stmt(ret, retNoSys)
	// clone: flags in args[0] (the low 32 bits hold them all).
	jump(jeq, unix.SYS_CLONE, 0, 4)
	stmt(ld, offArg0)
	jump(jset, namespaceCloneFlags, 0, 1)
	stmt(ret, retEPERM)
	stmt(ret, retAllow)
	// ioctl: no faking terminal input (TIOCSTI) or console tricks (TIOCLINUX).
	jump(jeq, unix.SYS_IOCTL, 0, 5)
	stmt(ld, offArg1)
	jump(jeq, unix.TIOCSTI, 2, 0)
	jump(jeq, tiocLinux, 1, 0)
	stmt(ret, retAllow)
	stmt(ret, retEPERM)
	// prctl: the parent-death signal stays as set.
	jump(jeq, unix.SYS_PRCTL, 0, 4)
	stmt(ld, offArg0)
	jump(jeq, unix.PR_SET_PDEATHSIG, 0, 1)
	stmt(ret, retEPERM)
	stmt(ret, retAllow)
	// personality: only reading it (0xffffffff) or setting plain PER_LINUX.
	jump(jeq, unix.SYS_PERSONALITY, 0, 5)
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
	if auditArch == 0 {
		return fmt.Errorf("no seccomp filter for this architecture")
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("setting no_new_privs: %w", err)
	}
	prog := filterProgram()
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	switch {
	case errno != 0:
		return fmt.Errorf("installing the seccomp filter: %w", errno)
	case r != 0:
		return fmt.Errorf("installing the seccomp filter: thread %d could not take it", r)
	}
	return nil
}
