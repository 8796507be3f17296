package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/openshell-contrib/supctl/internal/reexec"
	"github.com/openshell-contrib/supctl/supervisor/internal/confine"
	"golang.org/x/sys/unix"
)

// confineFlags are the namespaces a confined run gets: its own process IDs
// (when it exits, the kernel kills every process it started), a network
// with only a loopback interface that is down, and its own mounts, System V
// IPC and host name.
const confineFlags = syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWNS |
	syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS

// runConfined runs "/<name> --version" confined, name being the binary's
// own (see confinedName), and returns what it printed on stdout. It tries
// the binary mounted read-only first and, if the kernel refuses to execute
// it there (open for writing, or on a file system mounted noexec), a copy
// inside the run's own root.
//
// The run's first process is a helper (package confine) whose
// parent-death signal fires when the thread that started it exits, so
// runConfined starts it from an OS thread it keeps locked until the run is
// over (the helper reaped), and then gives back. It must not let the
// thread end: the thread may have started children of others before
// (Go moves goroutines between threads), and those with a parent-death
// signal of their own would die with it.
func runConfined(parent context.Context, path string, timeout time.Duration, forceUserNS bool) (string, error) {
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread() // the helper is reaped: nothing of the run is left on the thread
		out, err := runOnThisThread(parent, path, confine.ModeBind, timeout, forceUserNS)
		if errors.Is(err, errExecRefused) {
			out, err = runOnThisThread(parent, path, confine.ModeCopy, timeout, forceUserNS)
		}
		if errors.Is(err, errExecRefused) {
			err = fmt.Errorf("%w: the kernel refuses to execute it: %v", ErrNotApplicable, err)
		}
		done <- result{out, err}
	}()
	r := <-done
	return r.out, r.err
}

// errExecRefused marks an exec that failed with ETXTBSY or EACCES.
var errExecRefused = errors.New("exec refused")

func runOnThisThread(parent context.Context, path, mode string, timeout time.Duration, forceUserNS bool) (string, error) {
	asRoot := os.Geteuid() == 0 && !forceUserNS
	goR, goW, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer goW.Close()
	reportR, reportW, err := os.Pipe()
	if err != nil {
		goR.Close()
		return "", err
	}
	defer reportR.Close()

	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := reexec.Command(ctx, confine.Name, path, confinedName(path), mode)
	// One P: the helper runs one goroutine, and with more the runtime
	// starts threads for its background goroutines at once, which costs
	// more than the helper's own work. The binary gets none of this: the
	// helper executes it with an empty environment.
	cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	cmd.Dir = "/"
	cmd.ExtraFiles = []*os.File{goR, reportW} // confine.FdGo and confine.FdReport
	stdout, stderr := &capWriter{max: maxStdout}, &capWriter{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr // Stdin nil reads from the null device
	cmd.WaitDelay = time.Second             // do not wait long for pipes a stray child holds
	attr := &syscall.SysProcAttr{
		Cloneflags: confineFlags,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL, // until the helper sets it again, after its credential change
	}
	if !asRoot {
		// The first process of a new user namespace has every capability
		// over it; as uid 65534 it would lose them at the exec of the
		// helper, which keeps, as ambient capabilities, those it needs to
		// set up its mounts, and drops them all before its own exec.
		host, hostGid := os.Getuid(), os.Getgid()
		if os.Geteuid() == 0 {
			host, hostGid = confine.Nobody, confine.Nobody
			attr.GidMappingsEnableSetgroups = true // root lets it drop its groups
		}
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: confine.Nobody, HostID: host, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: confine.Nobody, HostID: hostGid, Size: 1}}
		attr.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_SYS_CHROOT, unix.CAP_SETPCAP, unix.CAP_SETUID, unix.CAP_SETGID, unix.CAP_DAC_OVERRIDE}
	}
	cmd.SysProcAttr = attr
	cmd.Cancel = func() error {
		// Killing the first process of a PID namespace kills all of it;
		// the group kill is for good measure.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	err = cmd.Start()
	goR.Close()
	reportW.Close()
	if err != nil {
		return "", startError(err, asRoot)
	}
	// The control group is made while the helper starts: it does nothing
	// of the run before the byte on the go pipe, written once it is in.
	if asRoot {
		if cg, err := newRunCgroup(); err == nil { // where none can be made, the limits are the ceiling
			defer cg.remove()
			if cg.add(cmd.Process.Pid) != nil {
				cg.remove() // it holds no process: the run goes on without it
			}
		}
	}
	goW.Write([]byte{1})
	rep, _ := io.ReadAll(io.LimitReader(reportR, 4<<10)) // end of file at the exec, or at the helper's end
	err = cmd.Wait()
	switch {
	case len(rep) > 0:
		return "", helperError(string(rep))
	case parent.Err() != nil:
		return "", parent.Err()
	case ctx.Err() != nil:
		return "", fmt.Errorf("%w: --version did not finish within %v", ErrUnknownVersion, timeout)
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		return "", fmt.Errorf("%w: --version failed (%v); stderr: %s", ErrUnknownVersion, err, quote(stderr.String()))
	}
	return stdout.String(), nil
}

// helperError turns the helper's report of what failed into an error: a
// confinement it could not set up makes the prober not applicable.
func helperError(rep string) error {
	parts := strings.SplitN(rep, "\x00", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%w: the confined run's helper failed: %q", ErrNotApplicable, rep)
	}
	stage, text := parts[0], parts[2]
	n, _ := strconv.Atoi(parts[1])
	errno := syscall.Errno(n)
	if stage == "exec" {
		switch errno {
		case syscall.ETXTBSY, syscall.EACCES:
			return fmt.Errorf("%w: %s", errExecRefused, text)
		case syscall.ENOEXEC, syscall.ENOENT, syscall.ELIBBAD:
			return fmt.Errorf("%w: the kernel cannot execute it: %s", ErrNotApplicable, text)
		}
	}
	if n != 0 {
		return fmt.Errorf("%w: cannot set up a confined run (%s): %s: %w", ErrNotApplicable, stage, text, errno)
	}
	return fmt.Errorf("%w: cannot set up a confined run (%s): %s", ErrNotApplicable, stage, text)
}

// startError classifies a failure to start the confined run: the kernel
// refusing the namespaces or the binary means the method cannot work here.
func startError(err error, asRoot bool) error {
	switch {
	case isTextBusy(err):
		return fmt.Errorf("starting a confined run: %w", err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EUSERS):
		how := "a user namespace"
		if asRoot {
			how = "new namespaces as nobody"
		}
		return fmt.Errorf("%w: cannot run it confined (%s): %w; user namespaces may be disabled (sysctl user.max_user_namespaces)",
			ErrNotApplicable, how, err)
	case errors.Is(err, syscall.ENOEXEC), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: the kernel cannot execute it: %w", ErrNotApplicable, err)
	}
	return fmt.Errorf("starting a confined run: %w", err)
}

// isTextBusy reports whether err is ETXTBSY, which exec returns while some
// process has the file open for writing.
func isTextBusy(err error) bool { return errors.Is(err, syscall.ETXTBSY) }
