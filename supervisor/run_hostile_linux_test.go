package supervisor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The hostile tests below run the probe from a subprocess of the test (this
// test binary again, see TestProbeSubprocess), as root or as another user,
// with a session keyring holding a secret, supplementary groups and
// descriptors left open without close-on-exec, as a program embedding
// supctl might have.

const (
	envProbeBin   = "SUPCTL_TEST_PROBE_BIN"
	envProbeUserN = "SUPCTL_TEST_PROBE_USERNS"
	testUser      = 4242 // an unprivileged user with no other business here
)

// TestProbeSubprocess is the subprocess: it probes the binary named in its
// environment and prints the version or the error.
func TestProbeSubprocess(t *testing.T) {
	path := os.Getenv(envProbeBin)
	if path == "" {
		t.Skip("run by the hostile tests")
	}
	p := RunProber{Timeout: time.Minute, userNS: os.Getenv(envProbeUserN) != ""}
	v, err := p.Probe(context.Background(), Binary{Path: path, Platform: linuxPlatform(runtimeArch())})
	fmt.Printf("VERSION %s ERROR %v\n", v.Version, err)
}

// probeCmd returns the subprocess probing bin, as uid (with groups 4243
// and 4244), in a user namespace if userNS, with TMPDIR tmp.
func probeCmd(t *testing.T, bin string, uid int, userNS bool, tmp string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if uid != 0 {
		// The test binary and the hostile one, where that user can run them.
		dir := t.TempDir()
		for _, d := range []string{filepath.Dir(dir), dir, filepath.Dir(bin), filepath.Dir(filepath.Dir(bin))} {
			os.Chmod(d, 0o755)
		}
		os.Chmod(tmp, 0o777)
		self = copyAs(t, self, "supervisor.test")
		os.Chmod(filepath.Dir(self), 0o755)
		os.Chmod(filepath.Dir(filepath.Dir(self)), 0o755)
	}
	cmd := exec.Command(self, "-test.run=^TestProbeSubprocess$", "-test.count=1")
	cmd.Dir = "/"
	cmd.Env = []string{envProbeBin + "=" + bin, "TMPDIR=" + tmp, "PATH=" + os.Getenv("PATH")}
	if userNS {
		cmd.Env = append(cmd.Env, envProbeUserN+"=1")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{4243, 4244}}}
	return cmd
}

// withSessionKeyring joins a new session keyring holding the key
// "secret-<marker>" on an OS thread of its own, runs fn there (a process
// fn starts inherits the keyring) and then reports whether the keyring
// holds a key "planted-<marker>".
func withSessionKeyring(t *testing.T, marker string, fn func()) (planted bool) {
	t.Helper()
	done := make(chan bool)
	go func() {
		runtime.LockOSThread() // no Unlock: the thread's keyring is not ours to keep
		if _, err := unix.KeyctlJoinSessionKeyring("supctl-test-" + marker); err != nil {
			t.Error(err)
		}
		if _, err := unix.AddKey("user", "secret-"+marker, []byte("s3cret"), unix.KEY_SPEC_SESSION_KEYRING); err != nil {
			t.Error(err)
		}
		fn()
		_, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", "planted-"+marker, 0)
		done <- err == nil
	}()
	return <-done
}

// leakFDs opens a directory and a socket without close-on-exec, as a
// careless caller would, for the test's duration.
func leakFDs(t *testing.T) {
	dir, err := unix.Open("/etc", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(dir); unix.Close(sock) })
}

var hostileCallers = []struct {
	name   string
	uid    int
	userNS bool
	want   string // what the hostile binary reports
}{
	{"root", 0, false, "0.0.1-w0.n0.f1.u65534.g65534.e0.p0.b0.s1.o0.k00.G0.c0.K1.U1.T1"},
	{"root, user namespace", 0, true, "0.0.1-w0.n0.f1.u65534.g65534.e0.p0.b0.s1.o0.k00.G0.c0.K1.U1.T1"},
	// A user's namespace cannot drop its supplementary groups (the kernel
	// forbids setgroups there); they appear as the overflow group and,
	// with nothing of the host in reach, reach nothing.
	{"user", testUser, false, "0.0.1-w0.n0.f1.u65534.g65534.e0.p0.b0.s1.o0.k00.G2.c0.K1.U1.T1"},
}

// TestRunConfinedCallerState: the probe gets nothing of its caller's state:
// not its session keyring (it can neither read the secret nor plant a
// key), not its open descriptors, not its supplementary groups (as root);
// it cannot write or chmod its root, and keyctl, unshare and ptrace fail
// with EPERM.
func TestRunConfinedCallerState(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the probe as root and as another user")
	}
	for _, c := range hostileCallers {
		t.Run(c.name, func(t *testing.T) {
			e := newHostileEnv(t)
			leakFDs(t)
			var out []byte
			var err error
			planted := withSessionKeyring(t, e.marker, func() {
				out, err = probeCmd(t, e.bin, c.uid, c.userNS, t.TempDir()).CombinedOutput()
			})
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if want := "VERSION " + c.want + " ERROR <nil>"; !strings.Contains(string(out), want) {
				t.Errorf("the subprocess printed\n%s\nwant %s", out, want)
			}
			if planted {
				t.Error("the probe planted a key in its caller's session keyring")
			}
		})
	}
}

// TestRunConfinedKilled kills (-9) the process running a probe whose binary
// cleared its parent-death signal, left its session and started a child:
// the binary and its child end all the same, and nothing is left in the
// temporary directory.
func TestRunConfinedKilled(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the probe as root and as another user")
	}
	for _, c := range hostileCallers {
		t.Run(c.name, func(t *testing.T) {
			e := newHostileEnvMode(t, runtimeArch(), "linger")
			tmp := t.TempDir()
			os.Chmod(tmp, 0o777)
			cmd := probeCmd(t, e.bin, c.uid, c.userNS, tmp)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			go io.Copy(io.Discard, out)
			child := "child-" + e.marker
			if !eventually(func() bool { return len(processesWith(child)) > 0 }) {
				t.Fatal("the hostile binary's child never started")
			}
			cmd.Process.Kill()
			cmd.Wait()
			if !eventually(func() bool { return len(processesWith(child)) == 0 }) {
				for _, pid := range processesWith(child) {
					exec.Command("kill", "-9", pid).Run()
				}
				t.Fatal("the probe's child outlived the killed caller by 10s")
			}
			ents, _ := os.ReadDir(tmp)
			for _, e := range ents {
				if !strings.HasPrefix(e.Name(), "supervisor-test-") { // the test binary's own
					t.Errorf("the killed probe left %s in the temporary directory", e.Name())
				}
			}
		})
	}
}

// TestRunConfinedCeiling runs a binary that starts 40 children of 64 MiB
// each: as root the run's processes and threads stay within 64 and their
// memory within 256 MiB in total; in a user's namespace (no control
// group), processes and threads stay within 64.
func TestRunConfinedCeiling(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the probe as root and as another user")
	}
	for _, c := range hostileCallers {
		t.Run(c.name, func(t *testing.T) {
			e := newHostileEnvMode(t, runtimeArch(), "hog")
			cmd := probeCmd(t, e.bin, c.uid, c.userNS, t.TempDir())
			done := make(chan struct{})
			go func() { cmd.Run(); close(done) }()
			maxTasks, maxAnon := 0, 0
			for running := true; running; {
				select {
				case <-done:
					running = false
				case <-time.After(20 * time.Millisecond):
				}
				tasks, anon := usage("child-hog-" + e.marker)
				maxTasks, maxAnon = max(maxTasks, tasks), max(maxAnon, anon)
			}
			if maxTasks == 0 {
				t.Fatal("saw no child of the hostile binary")
			}
			if maxTasks > runPids {
				t.Errorf("its children had %d threads at once, want at most %d", maxTasks, runPids)
			}
			if c.uid == 0 && !c.userNS && maxAnon > runMemory {
				t.Errorf("its children held %d MiB at once, want at most %d", maxAnon>>20, runMemory>>20)
			}
		})
	}
}

// usage sums the threads and anonymous memory of the processes whose
// command line holds s.
func usage(s string) (tasks, anon int) {
	for _, pid := range processesWith(s) {
		f, err := os.Open(filepath.Join("/proc", pid, "status"))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			switch k {
			case "Threads":
				tasks += n
			case "RssAnon":
				anon += n << 10
			}
		}
		f.Close()
	}
	return tasks, anon
}

// eventually reports whether cond holds within 10 seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}
