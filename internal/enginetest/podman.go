package enginetest

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/engine"
)

// Bounds of a Podman service's life in a test.
const (
	podmanStartTimeout = 60 * time.Second // until it answers /_ping
	podmanStopTimeout  = 20 * time.Second // from SIGTERM to SIGKILL
)

// PodmanOpenTimeout is the open timeout ([engine.WithOpenTimeout]) for a
// Podman service of [StartPodman]. Podman answers /version and /info
// slowly (it asks the package manager which packages hold conmon and the
// OCI runtime): 1 to 5 s each were measured on a busy 2-core machine,
// which [engine.DefaultOpenTimeout] does not always cover.
const PodmanOpenTimeout = time.Minute

// Podman is a Podman API service started by [StartPodman] for one test:
// Debian's podman, rootful when the test runs as root, with the vfs
// storage driver (which needs no kernel overlay support) and its storage,
// run and temporary directories in a temp dir of its own, so it shares
// nothing with the machine's Podman and leaves nothing behind.
type Podman struct {
	// RuntimeDir is a directory laid out as $XDG_RUNTIME_DIR would be:
	// Socket is RuntimeDir/podman/podman.sock, where discovery looks for a
	// rootless Podman's socket.
	RuntimeDir string
	// Socket is the path of the service's API socket.
	Socket string
	// Version is what "podman --version" printed, e.g. "podman version 4.3.1".
	Version string
}

// Host is the service's endpoint as DOCKER_HOST and CONTAINER_HOST spell
// it.
func (p *Podman) Host() string { return "unix://" + p.Socket }

// Env is an environment in which discovery of [engine.Podman] finds this
// service through CONTAINER_HOST.
func (p *Podman) Env() engine.Env { return engine.Env{ContainerHost: p.Host()} }

// Options open this service as [engine.Podman]: its [Podman.Env] and
// [PodmanOpenTimeout].
func (p *Podman) Options() []engine.Option {
	return []engine.Option{engine.WithKind(engine.Podman), engine.WithEnv(p.Env()), engine.WithOpenTimeout(PodmanOpenTimeout)}
}

// StartPodman starts a Podman API service for the test
// ("podman --storage-driver vfs system service --time=0 unix://SOCKET",
// with its own --root, --runroot and --tmpdir), waits until it answers
// /_ping, and stops it when the test ends. Without podman the test is
// skipped, or fails when [RequireEngineEnv] is 1; so does a service that
// does not start.
func StartPodman(t testing.TB) *Podman {
	t.Helper()
	bin, err := exec.LookPath("podman")
	if err != nil {
		skipOrFail(t, "podman is not installed (Debian: apt-get install podman uidmap): %v", err)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		skipOrFail(t, "podman --version: %v", err)
	}
	// A short directory: a unix socket's path is limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "supctl-podman-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Podman{RuntimeDir: filepath.Join(dir, "run"), Version: strings.TrimSpace(string(out))}
	p.Socket = filepath.Join(p.RuntimeDir, "podman", "podman.sock")
	for _, d := range []string{filepath.Dir(p.Socket), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	global := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"),
		"--tmpdir", filepath.Join(dir, "tmp"), "--storage-driver", "vfs", "--events-backend", "file"}
	cmd := exec.Command(bin, slices.Concat(global, []string{"system", "service", "--time=0", p.Host()})...)
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		skipOrFail(t, "starting podman system service: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// Containers a failed test left: removed while the service runs,
		// so that their mounts (the /dev/shm of each) go with them.
		ctx, cancel := context.WithTimeout(context.Background(), podmanStopTimeout)
		b, err := exec.CommandContext(ctx, bin, slices.Concat(global, []string{"rm", "--all", "--force", "--time", "0"})...).CombinedOutput()
		cancel()
		if err != nil {
			t.Logf("podman rm --all: %v\n%s", err, b)
		}
		stop(cmd, exited)
		// The "podman container cleanup" that conmon starts when a
		// container exits may still be writing there for a moment.
		err = os.RemoveAll(dir)
		for end := time.Now().Add(podmanStopTimeout); err != nil && time.Now().Before(end); {
			time.Sleep(100 * time.Millisecond)
			err = os.RemoveAll(dir)
		}
		if err != nil {
			t.Errorf("removing the Podman service's directory: %v", err)
		}
	})
	if err := waitPing(p.Socket, exited); err != nil {
		skipOrFail(t, "the Podman service (%s) did not answer: %v\n%s", p.Version, err, log.String())
	}
	return p
}

// OpenPodman starts a Podman service for the test with [StartPodman] and
// opens it as [engine.Podman] finds it through CONTAINER_HOST.
func OpenPodman(t testing.TB) (*engine.Engine, *Podman) {
	t.Helper()
	p := StartPodman(t)
	e, err := engine.Open(context.Background(), p.Options()...)
	if err != nil {
		t.Fatalf("opening the Podman service at %s: %v", p.Host(), err)
	}
	t.Cleanup(func() { e.Close() })
	return e, p
}

// waitPing polls the socket's /_ping until it answers OK, the service
// exits, or podmanStartTimeout passes.
func waitPing(sock string, exited <-chan error) error {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	defer c.CloseIdleConnections()
	deadline := time.Now().Add(podmanStartTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return errors.Join(errors.New("the service exited"), err)
		default:
		}
		resp, err := c.Get("http://podman/_ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return errors.Join(errors.New("no answer to /_ping within "+podmanStartTimeout.String()), last)
}

// stop ends the service: SIGTERM to its process group, SIGKILL after
// podmanStopTimeout.
func stop(cmd *exec.Cmd, exited <-chan error) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(podmanStopTimeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(RequireEngineEnv) == "1" {
		t.Fatalf(format+" (and "+RequireEngineEnv+"=1)", args...)
	}
	t.Skipf(format, args...)
}

// lockedBuffer collects the service's output from its two streams.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
