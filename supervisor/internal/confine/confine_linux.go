package confine

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// Name is the name the process is started with (reexec.Command).
const Name = "confine"

// The modes of a run: the binary mounted read-only, or copied.
const (
	ModeBind = "bind"
	ModeCopy = "copy"
)

// The process's descriptors beyond standard error, in this order.
const (
	FdGo     = 3
	FdReport = 4
)

// Nobody is the unprivileged user and group a confined run gets.
const Nobody = 65534

// MaxProcs is the number of processes and threads a confined run may have
// in all: the pids limit of its control group as root, RLIMIT_NPROC in a
// user namespace.
const MaxProcs = 64

// envName is the variable internal/reexec names the job of a process with.
// This package reads it itself: internal/reexec imports os/exec, and with
// it path/filepath, which the runtime initialises late.
const envName = "SUPCTL_REEXEC"

func init() {
	if os.Getenv(envName) == Name {
		os.Exit(Main())
	}
}

// Limits of every process of a confined run. Lowering a limit needs no
// privilege, so they are always in place; they bound each process, and
// RLIMIT_NPROC the processes of the run's user (in a user namespace, of
// the run itself).
var rlimits = []struct {
	resource int
	value    uint64
}{
	{syscall.RLIMIT_AS, 4 << 30},
	{syscall.RLIMIT_NOFILE, 64},
	{syscall.RLIMIT_FSIZE, 0},
	{syscall.RLIMIT_CORE, 0},
	{syscall.RLIMIT_CPU, 30},
	{rlimitMemlock, 0},
	{rlimitMsgqueue, 0},
}

// nproc is RLIMIT_NPROC: as root it counts every process of
// nobody on the host, so it is higher there (the control group is the
// ceiling of the run); in a user namespace it counts the run's own.
func nproc(asRoot bool) uint64 {
	if asRoot {
		return 256
	}
	return MaxProcs
}

// Main sets up the confinement and executes the binary; it returns only
// when something failed, with the process's exit status, after writing
// what failed to [FdReport].
func Main() int {
	runtime.LockOSThread() // the thread that sets up the confinement is the one that executes
	if len(os.Args) != 4 {
		return report("arguments", errors.New("want 3, got "+strconv.Itoa(len(os.Args)-1)))
	}
	path, name, mode := os.Args[1], os.Args[2], os.Args[3]
	var b [1]byte
	if n, _ := syscall.Read(FdGo, b[:]); n != 1 {
		return 1 // supctl is gone
	}
	asRoot := os.Getuid() == 0
	if stage, err := setup(path, name, mode, asRoot); err != nil {
		return report(stage, err)
	}
	err := syscall.Exec("/"+name, []string{"/" + name, "--version"}, []string{})
	return report("exec", err)
}

// setup does every step up to the exec, and names the one that failed.
func setup(path, name, mode string, asRoot bool) (string, error) {
	dropGroups := true // /proc is out of reach after the chroot
	if b, err := os.ReadFile("/proc/self/setgroups"); err == nil && trimSpace(string(b)) == "deny" {
		dropGroups = false
	}
	// The binary, reached through a descriptor: the tmpfs below may hide
	// its directory.
	bin, err := os.Open(path)
	if err != nil {
		return "open", err
	}
	defer bin.Close()
	src := "/proc/self/fd/" + strconv.Itoa(int(bin.Fd()))
	if !asRoot {
		// In a user namespace, the ids of nobody inside are those
		// mapped to the caller; the capabilities over the namespace stay.
		if err := becomeNobody(dropGroups); err != nil {
			return "credentials", err
		}
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return "mount", wrap("making mounts private", err)
	}
	dir := ""
	for _, d := range []string{"/tmp", "/mnt", "/run", "/var", "/"} {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			dir = d
			break
		}
	}
	size := int64(64 << 10)
	if mode == ModeCopy {
		fi, err := bin.Stat()
		if err != nil {
			return "copy", err
		}
		size += fi.Size()
	}
	opts := "mode=0555,nr_inodes=8,size=" + strconv.FormatInt(size, 10)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		return "mount", wrap("mounting a tmpfs on "+dir, err)
	}
	target := dir + "/" + name
	if dir == "/" {
		target = dir + name
	}
	if mode == ModeCopy {
		if err := copyFile(bin, target); err != nil {
			return "copy", err
		}
	} else {
		if err := os.WriteFile(target, nil, 0o555); err != nil {
			return "mount", err
		}
		if err := syscall.Mount(src, target, "", syscall.MS_BIND, ""); err != nil {
			return "mount", wrap("binding "+path, err)
		}
		if err := syscall.Mount("", target, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
			return "mount", wrap("making "+path+" read-only", err)
		}
	}
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		return "mount", wrap("making the root read-only", err)
	}
	if err := syscall.Chroot(dir); err != nil {
		return "chroot", err
	}
	if err := syscall.Chdir("/"); err != nil {
		return "chroot", err
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_KEYCTL, keyctlJoinSessionKeyring, 0, 0); errno != 0 {
		return "keyring", wrap("joining a new session keyring", errno)
	}
	for _, l := range rlimits {
		if err := prlimit(l.resource, l.value); err != nil {
			return "limits", wrap("limit "+strconv.Itoa(l.resource), err)
		}
	}
	n := nproc(asRoot)
	if err := prlimit(rlimitNproc, n); err != nil {
		return "limits", wrap("process limit", err)
	}
	if err := dropBoundingSet(); err != nil {
		return "capabilities", wrap("dropping the bounding set", err)
	}
	if asRoot {
		if err := becomeNobody(dropGroups); err != nil {
			return "credentials", err
		}
	}
	if err := prctl(prCapAmbient, prCapAmbientClearAll); err != nil {
		return "capabilities", err
	}
	hdr := capHeader{Version: 0x20080522} // _LINUX_CAPABILITY_VERSION_3
	var data [2]capData
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); errno != 0 {
		return "capabilities", errno
	}
	// The parent-death signal: the credential change cleared it, so it is
	// set now, and the filter below keeps it from being cleared. If supctl
	// died before, the go pipe has no writer left.
	if err := prctl(prSetPdeathsig, uintptr(syscall.SIGKILL)); err != nil {
		return "parent-death signal", err
	}
	fd := pollFd{Fd: FdGo, Events: pollIn}
	var zero syscall.Timespec
	if n, _, _ := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fd)), 1, uintptr(unsafe.Pointer(&zero)), 0, 0, 0); n > 0 {
		return "parent-death signal", errors.New("supctl is gone")
	}
	// Every descriptor but 0, 1 and 2 closes at exec: those this process
	// inherited from whoever started supctl, and the runtime's own.
	if _, _, errno := syscall.Syscall(sysCloseRange, 3, ^uintptr(0), closeRangeCloexec); errno != 0 {
		return "descriptors", errno
	}
	if err := installFilter(); err != nil {
		return "seccomp", err
	}
	return "", nil
}

// becomeNobody drops the supplementary groups, if dropGroups, and
// changes every user and group id to nobody.
func becomeNobody(dropGroups bool) error {
	if dropGroups {
		if err := syscall.Setgroups(nil); err != nil {
			return wrap("dropping supplementary groups", err)
		}
	}
	if err := syscall.Setresgid(Nobody, Nobody, Nobody); err != nil {
		return wrap("changing to group nobody", err)
	}
	if err := syscall.Setresuid(Nobody, Nobody, Nobody); err != nil {
		return wrap("changing to user nobody", err)
	}
	return nil
}

// dropBoundingSet removes every capability from this thread's bounding
// set, so nothing the run executes can gain one.
func dropBoundingSet() error {
	last := 63 // dropping a capability the kernel does not know fails with EINVAL, ignored
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(trimSpace(string(b))); err == nil {
			last = n
		}
	}
	for c := 0; c <= last; c++ {
		if err := prctl(prCapbsetDrop, uintptr(c)); err != nil && !errors.Is(err, syscall.EINVAL) {
			return err
		}
	}
	return nil
}

// copyFile copies the binary in to dst, mode 0555.
func copyFile(in *os.File, dst string) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o555)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// report writes what failed to supctl, "<stage>\x00<errno>\x00<text>",
// and returns the helper's exit status.
func report(stage string, err error) int {
	errno := 0
	var e syscall.Errno
	if errors.As(err, &e) {
		errno = int(e)
	}
	syscall.Write(FdReport, []byte(stage+"\x00"+strconv.Itoa(errno)+"\x00"+err.Error()))
	return 125
}

// prlimit sets both limits of resource to value for this process.
func prlimit(resource int, value uint64) error {
	l := syscall.Rlimit{Cur: value, Max: value}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, 0, uintptr(resource), uintptr(unsafe.Pointer(&l)), 0, 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// prctl calls prctl(option, arg2, 0, 0, 0).
func prctl(option, arg2 uintptr) error {
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, option, arg2, 0, 0, 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// The kernel's structures and constants this package uses that the
// syscall package lacks (the same on every architecture it runs on).
type capHeader struct {
	Version uint32
	Pid     int32
}

type capData struct {
	Effective, Permitted, Inheritable uint32
}

type pollFd struct {
	Fd      int32
	Events  int16
	Revents int16
}

const (
	rlimitNproc    = 6
	rlimitMemlock  = 8
	rlimitMsgqueue = 12

	prSetPdeathsig       = 1
	prCapbsetDrop        = 24
	prSetNoNewPrivs      = 38
	prCapAmbient         = 47
	prCapAmbientClearAll = 4

	keyctlJoinSessionKeyring = 1
	pollIn                   = 1
	sysCloseRange            = 436
	closeRangeCloexec        = 4
)

// wrap returns an error that reads "<msg>: <err>" and wraps err. This
// package makes its errors without fmt, and reads files without strings:
// both bring packages the runtime initialises late (see the package
// documentation).
func wrap(msg string, err error) error { return &wrapped{msg, err} }

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

// trimSpace trims the ASCII white space around s.
func trimSpace(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
