package confine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/openshell-contrib/supctl/internal/reexec"
	"golang.org/x/sys/unix"
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

func init() { reexec.Handle(Name, Main) }

// Limits of every process of a confined run. Lowering a limit needs no
// privilege, so they are always in place; they bound each process, and
// RLIMIT_NPROC the processes of the run's user (in a user namespace, of
// the run itself).
var rlimits = []struct {
	resource int
	value    uint64
}{
	{unix.RLIMIT_AS, 4 << 30},
	{unix.RLIMIT_NOFILE, 64},
	{unix.RLIMIT_FSIZE, 0},
	{unix.RLIMIT_CORE, 0},
	{unix.RLIMIT_CPU, 30},
	{unix.RLIMIT_MEMLOCK, 0},
	{unix.RLIMIT_MSGQUEUE, 0},
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
		return report("arguments", fmt.Errorf("want 3, got %d", len(os.Args)-1))
	}
	path, name, mode := os.Args[1], os.Args[2], os.Args[3]
	var b [1]byte
	if n, _ := unix.Read(FdGo, b[:]); n != 1 {
		return 1 // supctl is gone
	}
	asRoot := os.Getuid() == 0
	if stage, err := setup(path, name, mode, asRoot); err != nil {
		return report(stage, err)
	}
	err := unix.Exec("/"+name, []string{"/" + name, "--version"}, []string{})
	return report("exec", err)
}

// setup does every step up to the exec, and names the one that failed.
func setup(path, name, mode string, asRoot bool) (string, error) {
	dropGroups := true // /proc is out of reach after the chroot
	if b, err := os.ReadFile("/proc/self/setgroups"); err == nil && strings.TrimSpace(string(b)) == "deny" {
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
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "mount", fmt.Errorf("making mounts private: %w", err)
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
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return "mount", fmt.Errorf("mounting a tmpfs on %s: %w", dir, err)
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
		if err := unix.Mount(src, target, "", unix.MS_BIND, ""); err != nil {
			return "mount", fmt.Errorf("binding %s: %w", path, err)
		}
		if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
			return "mount", fmt.Errorf("making %s read-only: %w", path, err)
		}
	}
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return "mount", fmt.Errorf("making the root read-only: %w", err)
	}
	if err := unix.Chroot(dir); err != nil {
		return "chroot", err
	}
	if err := unix.Chdir("/"); err != nil {
		return "chroot", err
	}
	if _, _, errno := unix.Syscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0); errno != 0 {
		return "keyring", fmt.Errorf("joining a new session keyring: %w", errno)
	}
	for _, l := range rlimits {
		if err := unix.Prlimit(0, l.resource, &unix.Rlimit{Cur: l.value, Max: l.value}, nil); err != nil {
			return "limits", fmt.Errorf("limit %d: %w", l.resource, err)
		}
	}
	n := nproc(asRoot)
	if err := unix.Prlimit(0, unix.RLIMIT_NPROC, &unix.Rlimit{Cur: n, Max: n}, nil); err != nil {
		return "limits", fmt.Errorf("process limit: %w", err)
	}
	if err := dropBoundingSet(); err != nil {
		return "capabilities", fmt.Errorf("dropping the bounding set: %w", err)
	}
	if asRoot {
		if err := becomeNobody(dropGroups); err != nil {
			return "credentials", err
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return "capabilities", err
	}
	hdr := unix.CapUserHeader{Version: 0x20080522} // _LINUX_CAPABILITY_VERSION_3
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return "capabilities", err
	}
	// The parent-death signal: the credential change cleared it, so it is
	// set now, and the filter below keeps it from being cleared. If supctl
	// died before, the go pipe has no writer left.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return "parent-death signal", err
	}
	fds := []unix.PollFd{{Fd: FdGo, Events: unix.POLLIN}}
	if n, _ := unix.Poll(fds, 0); n > 0 {
		return "parent-death signal", fmt.Errorf("supctl is gone")
	}
	// Every descriptor but 0, 1 and 2 closes at exec: those this process
	// inherited from whoever started supctl, and the runtime's own.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return "descriptors", err
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
		if err := unix.Setgroups(nil); err != nil {
			return fmt.Errorf("dropping supplementary groups: %w", err)
		}
	}
	if err := unix.Setresgid(Nobody, Nobody, Nobody); err != nil {
		return fmt.Errorf("changing to group nobody: %w", err)
	}
	if err := unix.Setresuid(Nobody, Nobody, Nobody); err != nil {
		return fmt.Errorf("changing to user nobody: %w", err)
	}
	return nil
}

// dropBoundingSet removes every capability from this thread's bounding
// set, so nothing the run executes can gain one.
func dropBoundingSet() error {
	last := 63 // dropping a capability the kernel does not know fails with EINVAL, ignored
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = n
		}
	}
	for c := 0; c <= last; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
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
	var e unix.Errno
	if errors.As(err, &e) {
		errno = int(e)
	}
	unix.Write(FdReport, []byte(stage+"\x00"+strconv.Itoa(errno)+"\x00"+err.Error()))
	return 125
}
