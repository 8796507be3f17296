package supervisor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/openshell-contrib/supctl/internal/reexec"
	"golang.org/x/sys/unix"
)

// The confined run's first process: supctl itself, started again by
// runConfined in new namespaces (see the package documentation for why
// and what it does). It runs as pid 1 of its PID namespace, sets up the
// confinement with system calls Go's fork and exec cannot make between the
// two, and then executes the binary in its place.
//
// Its file descriptors: 0 the null device, 1 and 2 pipes to supctl,
// 3 the read end of the "go" pipe (one byte once supctl has put it in its
// control group; end of file if supctl died), 4 the write end of the
// report pipe (what failed, or end of file when exec succeeded).
//
// Its arguments: the binary's path, the name it gets in its root, and the
// mode: "bind" mounts the binary read-only, "copy" copies it into the
// root (for a binary open for writing, or on a file system mounted noexec).

const confineHandler = "confine"

const (
	fdGo     = 3
	fdReport = 4
)

func init() { reexec.Handle(confineHandler, confineMain) }

// Limits of every process of a confined run. Lowering a limit needs no
// privilege, so they are always in place; they bound each process, and
// RLIMIT_NPROC the processes of the run's user (in a user namespace, of
// the run itself).
var confineRlimits = []struct {
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

// confineNproc is RLIMIT_NPROC: as root it counts every process of
// nobody on the host, so it is higher there (the control group is the
// ceiling of the run); in a user namespace it counts the run's own.
func confineNproc(asRoot bool) uint64 {
	if asRoot {
		return 256
	}
	return runPids
}

func confineMain() int {
	runtime.LockOSThread() // the thread that sets up the confinement is the one that executes
	if len(os.Args) != 4 {
		return report("arguments", fmt.Errorf("want 3, got %d", len(os.Args)-1))
	}
	path, name, mode := os.Args[1], os.Args[2], os.Args[3]
	var b [1]byte
	if n, _ := unix.Read(fdGo, b[:]); n != 1 {
		return 1 // supctl is gone
	}
	asRoot := os.Getuid() == 0
	if stage, err := confineSetup(path, name, mode, asRoot); err != nil {
		return report(stage, err)
	}
	err := unix.Exec("/"+name, []string{"/" + name, "--version"}, []string{})
	return report("exec", err)
}

// confineSetup does every step up to the exec, and names the one that failed.
func confineSetup(path, name, mode string, asRoot bool) (string, error) {
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
	if mode == "copy" {
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
	target := filepath.Join(dir, name)
	if mode == "copy" {
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
	for _, l := range confineRlimits {
		if err := unix.Prlimit(0, l.resource, &unix.Rlimit{Cur: l.value, Max: l.value}, nil); err != nil {
			return "limits", fmt.Errorf("limit %d: %w", l.resource, err)
		}
	}
	n := confineNproc(asRoot)
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
	fds := []unix.PollFd{{Fd: fdGo, Events: unix.POLLIN}}
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
	if err := unix.Setresgid(nobody, nobody, nobody); err != nil {
		return fmt.Errorf("changing to group nobody: %w", err)
	}
	if err := unix.Setresuid(nobody, nobody, nobody); err != nil {
		return fmt.Errorf("changing to user nobody: %w", err)
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
	unix.Write(fdReport, []byte(stage+"\x00"+strconv.Itoa(errno)+"\x00"+err.Error()))
	return 125
}
