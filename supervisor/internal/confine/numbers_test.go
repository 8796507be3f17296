//go:build linux && (amd64 || arm64)

package confine

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestNumbers: the numbers and constants this package writes itself, so
// as not to import golang.org/x/sys/unix, are that package's.
func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"SYS_KEYCTL", sysKeyctl, unix.SYS_KEYCTL},
		{"SYS_ADD_KEY", sysAddKey, unix.SYS_ADD_KEY},
		{"SYS_REQUEST_KEY", sysRequestKey, unix.SYS_REQUEST_KEY},
		{"SYS_PTRACE", sysPtrace, unix.SYS_PTRACE},
		{"SYS_PROCESS_VM_READV", sysProcessVMReadv, unix.SYS_PROCESS_VM_READV},
		{"SYS_PROCESS_VM_WRITEV", sysProcessVMWritev, unix.SYS_PROCESS_VM_WRITEV},
		{"SYS_PIDFD_GETFD", sysPidfdGetfd, unix.SYS_PIDFD_GETFD},
		{"SYS_KCMP", sysKcmp, unix.SYS_KCMP},
		{"SYS_PROCESS_MADVISE", sysProcessMadvise, unix.SYS_PROCESS_MADVISE},
		{"SYS_MOUNT", sysMount, unix.SYS_MOUNT},
		{"SYS_UMOUNT2", sysUmount2, unix.SYS_UMOUNT2},
		{"SYS_PIVOT_ROOT", sysPivotRoot, unix.SYS_PIVOT_ROOT},
		{"SYS_CHROOT", sysChroot, unix.SYS_CHROOT},
		{"SYS_MOVE_MOUNT", sysMoveMount, unix.SYS_MOVE_MOUNT},
		{"SYS_OPEN_TREE", sysOpenTree, unix.SYS_OPEN_TREE},
		{"SYS_OPEN_TREE_ATTR", sysOpenTreeAttr, unix.SYS_OPEN_TREE_ATTR},
		{"SYS_MOUNT_SETATTR", sysMountSetattr, unix.SYS_MOUNT_SETATTR},
		{"SYS_FSOPEN", sysFsopen, unix.SYS_FSOPEN},
		{"SYS_FSCONFIG", sysFsconfig, unix.SYS_FSCONFIG},
		{"SYS_FSMOUNT", sysFsmount, unix.SYS_FSMOUNT},
		{"SYS_FSPICK", sysFspick, unix.SYS_FSPICK},
		{"SYS_UNSHARE", sysUnshare, unix.SYS_UNSHARE},
		{"SYS_SETNS", sysSetns, unix.SYS_SETNS},
		{"SYS_BPF", sysBPF, unix.SYS_BPF},
		{"SYS_PERF_EVENT_OPEN", sysPerfEventOpen, unix.SYS_PERF_EVENT_OPEN},
		{"SYS_USERFAULTFD", sysUserfaultfd, unix.SYS_USERFAULTFD},
		{"SYS_INIT_MODULE", sysInitModule, unix.SYS_INIT_MODULE},
		{"SYS_FINIT_MODULE", sysFinitModule, unix.SYS_FINIT_MODULE},
		{"SYS_DELETE_MODULE", sysDeleteModule, unix.SYS_DELETE_MODULE},
		{"SYS_KEXEC_LOAD", sysKexecLoad, unix.SYS_KEXEC_LOAD},
		{"SYS_KEXEC_FILE_LOAD", sysKexecFileLoad, unix.SYS_KEXEC_FILE_LOAD},
		{"SYS_OPEN_BY_HANDLE_AT", sysOpenByHandleAt, unix.SYS_OPEN_BY_HANDLE_AT},
		{"SYS_NAME_TO_HANDLE_AT", sysNameToHandleAt, unix.SYS_NAME_TO_HANDLE_AT},
		{"SYS_IO_URING_SETUP", sysIOURingSetup, unix.SYS_IO_URING_SETUP},
		{"SYS_IO_URING_ENTER", sysIOURingEnter, unix.SYS_IO_URING_ENTER},
		{"SYS_IO_URING_REGISTER", sysIOURingRegister, unix.SYS_IO_URING_REGISTER},
		{"SYS_FANOTIFY_INIT", sysFanotifyInit, unix.SYS_FANOTIFY_INIT},
		{"SYS_QUOTACTL", sysQuotactl, unix.SYS_QUOTACTL},
		{"SYS_ACCT", sysAcct, unix.SYS_ACCT},
		{"SYS_SWAPON", sysSwapon, unix.SYS_SWAPON},
		{"SYS_SWAPOFF", sysSwapoff, unix.SYS_SWAPOFF},
		{"SYS_REBOOT", sysReboot, unix.SYS_REBOOT},
		{"SYS_SETTIMEOFDAY", sysSettimeofday, unix.SYS_SETTIMEOFDAY},
		{"SYS_CLOCK_SETTIME", sysClockSettime, unix.SYS_CLOCK_SETTIME},
		{"SYS_CLOCK_ADJTIME", sysClockAdjtime, unix.SYS_CLOCK_ADJTIME},
		{"SYS_SETHOSTNAME", sysSethostname, unix.SYS_SETHOSTNAME},
		{"SYS_SETDOMAINNAME", sysSetdomainname, unix.SYS_SETDOMAINNAME},
		{"SYS_CLONE3", sysClone3, unix.SYS_CLONE3},
		{"SYS_CLONE", sysClone, unix.SYS_CLONE},
		{"SYS_IOCTL", sysIoctl, unix.SYS_IOCTL},
		{"SYS_PRCTL", sysPrctl, unix.SYS_PRCTL},
		{"SYS_PERSONALITY", sysPersonality, unix.SYS_PERSONALITY},
		{"SYS_SECCOMP", sysSeccomp, unix.SYS_SECCOMP},
		{"SYS_CLOSE_RANGE", sysCloseRange, unix.SYS_CLOSE_RANGE},
		{"CLOSE_RANGE_CLOEXEC", closeRangeCloexec, unix.CLOSE_RANGE_CLOEXEC},
		{"RLIMIT_NPROC", rlimitNproc, unix.RLIMIT_NPROC},
		{"RLIMIT_MEMLOCK", rlimitMemlock, unix.RLIMIT_MEMLOCK},
		{"RLIMIT_MSGQUEUE", rlimitMsgqueue, unix.RLIMIT_MSGQUEUE},
		{"PR_SET_PDEATHSIG", prSetPdeathsig, unix.PR_SET_PDEATHSIG},
		{"PR_CAPBSET_DROP", prCapbsetDrop, unix.PR_CAPBSET_DROP},
		{"PR_SET_NO_NEW_PRIVS", prSetNoNewPrivs, unix.PR_SET_NO_NEW_PRIVS},
		{"PR_CAP_AMBIENT", prCapAmbient, unix.PR_CAP_AMBIENT},
		{"PR_CAP_AMBIENT_CLEAR_ALL", prCapAmbientClearAll, unix.PR_CAP_AMBIENT_CLEAR_ALL},
		{"KEYCTL_JOIN_SESSION_KEYRING", keyctlJoinSessionKeyring, unix.KEYCTL_JOIN_SESSION_KEYRING},
		{"POLLIN", pollIn, unix.POLLIN},
		{"SYS_KEYCTL (syscall)", syscall.SYS_KEYCTL, unix.SYS_KEYCTL},
		{"SYS_PRLIMIT64 (syscall)", syscall.SYS_PRLIMIT64, unix.SYS_PRLIMIT64},
		{"SYS_PPOLL (syscall)", syscall.SYS_PPOLL, unix.SYS_PPOLL},
		{"SYS_CAPSET (syscall)", syscall.SYS_CAPSET, unix.SYS_CAPSET},
		{"SECCOMP_SET_MODE_FILTER", seccompSetModeFilter, unix.SECCOMP_SET_MODE_FILTER},
		{"SECCOMP_FILTER_FLAG_TSYNC", seccompFilterFlagTsync, unix.SECCOMP_FILTER_FLAG_TSYNC},
		{"SECCOMP_RET_ALLOW", retAllow, unix.SECCOMP_RET_ALLOW},
		{"SECCOMP_RET_KILL_PROCESS", retKill, unix.SECCOMP_RET_KILL_PROCESS},
		{"SECCOMP_RET_ERRNO", retErrno, unix.SECCOMP_RET_ERRNO},
		{"CLONE_NEWCGROUP", cloneNewCgroup, unix.CLONE_NEWCGROUP},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d here, %d in golang.org/x/sys/unix", c.name, c.got, c.want)
		}
	}
	if runtimeAudit := map[string]uintptr{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64}; uintptr(auditArch) != runtimeAudit[runtime.GOARCH] {
		t.Errorf("auditArch = %#x, want %#x", auditArch, runtimeAudit[runtime.GOARCH])
	}
	if unsafe.Sizeof(capHeader{}) != unsafe.Sizeof(unix.CapUserHeader{}) || unsafe.Sizeof(capData{}) != unsafe.Sizeof(unix.CapUserData{}) ||
		unsafe.Sizeof(pollFd{}) != unsafe.Sizeof(unix.PollFd{}) || unsafe.Sizeof(sockFilter{}) != unsafe.Sizeof(unix.SockFilter{}) ||
		unsafe.Sizeof(sockFprog{}) != unsafe.Sizeof(unix.SockFprog{}) {
		t.Error("a structure differs in size from golang.org/x/sys/unix's")
	}
}
