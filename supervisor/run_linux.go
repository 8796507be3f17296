package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// nobody is the unprivileged user and group a confined run gets.
const nobody = 65534

// confineFlags are the namespaces a confined run gets: its own process IDs
// (when it exits, the kernel kills every process it started), a network
// with only a loopback interface that is down, and its own mounts, System V
// IPC and host name.
const confineFlags = syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWNS |
	syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS

// runConfined runs "/<name> --version" chrooted into root, the directory
// privateRoot made, and returns what it printed on stdout.
//
// The process attributes that fork cannot set (no_new_privs, the
// capability bounding set) are per thread and inherited by children, so
// runConfined sets them on an OS thread of its own, starts the binary from
// that thread and never gives the thread back: it ends with the goroutine.
func runConfined(parent context.Context, root string, timeout time.Duration, forceUserNS bool) (string, error) {
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // no Unlock: the thread exits with this goroutine
		out, err := runOnThisThread(parent, root, timeout, forceUserNS)
		done <- result{out, err}
	}()
	r := <-done
	return r.out, r.err
}

func runOnThisThread(parent context.Context, root string, timeout time.Duration, forceUserNS bool) (string, error) {
	asRoot := os.Geteuid() == 0 && !forceUserNS
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return "", fmt.Errorf("%w: cannot set no_new_privs for a confined run: %v", ErrNotApplicable, err)
	}
	if os.Geteuid() == 0 {
		if err := dropBoundingSet(); err != nil {
			return "", fmt.Errorf("%w: cannot drop the capability bounding set for a confined run: %v", ErrNotApplicable, err)
		}
	}
	entries, err := os.ReadDir(root)
	if err != nil || len(entries) != 1 {
		return "", fmt.Errorf("supervisor: the private root %s is not as made: %v", root, err)
	}
	name := entries[0].Name()

	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/"+name, "--version")
	cmd.Env = []string{} // not nil, which would mean "inherit ours"
	cmd.Dir = "/"
	stdout, stderr := &capWriter{max: maxStdout}, &capWriter{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr // Stdin nil reads from the null device
	cmd.WaitDelay = time.Second             // do not wait long for pipes a stray child holds
	attr := &syscall.SysProcAttr{
		Chroot:     root,
		Cloneflags: confineFlags,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL, // if this thread (or supctl) dies first
	}
	if asRoot {
		attr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
	} else {
		host := os.Getuid()
		hostGid := os.Getgid()
		if os.Geteuid() == 0 {
			host, hostGid = nobody, nobody
		}
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: nobody, HostID: host, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: nobody, HostID: hostGid, Size: 1}}
		attr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, NoSetGroups: true}
	}
	cmd.SysProcAttr = attr
	cmd.Cancel = func() error {
		// Killing the first process of a PID namespace kills all of it;
		// the group kill is for good measure.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err := cmd.Start(); err != nil {
		return "", startError(err, asRoot)
	}
	limit(cmd.Process.Pid)
	err = cmd.Wait()
	switch {
	case parent.Err() != nil:
		return "", parent.Err()
	case ctx.Err() != nil:
		return "", fmt.Errorf("%w: --version did not finish within %v", ErrUnknownVersion, timeout)
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		return "", fmt.Errorf("%w: --version failed (%v); stderr: %s", ErrUnknownVersion, err, quote(stderr.String()))
	}
	return stdout.String(), nil
}

// maxAddressSpace bounds a confined run's virtual memory.
const maxAddressSpace = 4 << 30

// limit bounds the memory of the confined process pid and of what it
// starts later, and forbids core dumps. fork cannot set limits for the
// child, so this is done right after the start: best effort, a bound on
// what a binary can take once running, not on its first instructions.
func limit(pid int) {
	unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: maxAddressSpace, Max: maxAddressSpace}, nil)
	unix.Prlimit(pid, unix.RLIMIT_CORE, &unix.Rlimit{}, nil)
}

// dropBoundingSet removes every capability from this thread's bounding
// set, so nothing the run executes can gain one.
func dropBoundingSet() error {
	last := 40
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

// startError classifies a failure to start the confined run: the kernel
// refusing the namespaces or the binary means the method cannot work here.
func startError(err error, asRoot bool) error {
	switch {
	case isTextBusy(err):
		return fmt.Errorf("supervisor: starting a confined run: %w", err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EUSERS):
		how := "a user namespace"
		if asRoot {
			how = "new namespaces as nobody"
		}
		return fmt.Errorf("%w: cannot run it confined (%s): %w; user namespaces may be disabled (sysctl user.max_user_namespaces), "+
			"or the temporary directory %s mounted noexec (set TMPDIR to one that is not)", ErrNotApplicable, how, err, os.TempDir())
	case errors.Is(err, syscall.ENOEXEC), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: the kernel cannot execute it: %w", ErrNotApplicable, err)
	}
	return fmt.Errorf("supervisor: starting a confined run: %w", err)
}

// isTextBusy reports whether err is ETXTBSY, which exec returns while some
// process has the file open for writing: typically the copy just written,
// whose descriptor leaked into a child another goroutine was forking.
func isTextBusy(err error) bool { return errors.Is(err, syscall.ETXTBSY) }
