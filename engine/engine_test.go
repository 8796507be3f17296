package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/supervisor"
)

// TestOpen: this machine's engine is found, negotiated down to its API
// version, and identified.
func TestOpen(t *testing.T) {
	e := openEngine(t)
	info := e.Info()
	t.Logf("endpoint %s; %+v", e.Endpoint(), info)
	if info.OS != "linux" || info.Arch == "" || info.Version == "" || info.Product == "" {
		t.Fatalf("incomplete info %+v", info)
	}
	if e.Endpoint().Source == "" || e.Endpoint().Host == "" {
		t.Fatalf("endpoint %+v says neither where nor why", e.Endpoint())
	}
	v, err := e.cli.ServerVersion(context.Background(), client.ServerVersionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.APIVersion != v.APIVersion && info.APIVersion != client.MaxAPIVersion {
		t.Fatalf("client speaks API %s; the engine offers %s and the client at most %s", info.APIVersion, v.APIVersion, client.MaxAPIVersion)
	}
}

// TestOpenFixedAPIVersion: DOCKER_API_VERSION fixes the version, as the
// Docker tooling does (the way to an engine below the client's floor).
func TestOpenFixedAPIVersion(t *testing.T) {
	e := openEngine(t)
	env := FromOS()
	env.DockerHost, env.APIVersion = e.Endpoint().Host, "1.40"
	f, err := Open(context.Background(), WithEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Info().APIVersion != "1.40" {
		t.Fatalf("API %s; want 1.40", f.Info().APIVersion)
	}
}

// closedPort returns a loopback TCP port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestOpenDead: a DOCKER_HOST where nothing answers is an UnreachableError
// that names the endpoint and where it came from.
func TestOpenDead(t *testing.T) {
	for _, host := range []string{"unix:///nonexistent/supctl-test.sock", "tcp://" + closedPort(t)} {
		t.Run(host, func(t *testing.T) {
			_, err := Open(context.Background(), WithEnv(Env{DockerHost: host}), WithOpenTimeout(20*time.Second))
			var ue *UnreachableError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnreachable) {
				t.Fatalf("got %v; want an UnreachableError", err)
			}
			if ue.Endpoint.Source != SourceDockerHost || !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "DOCKER_HOST") {
				t.Fatalf("the error does not name the endpoint and its source: %v", err)
			}
			t.Log(err)
		})
	}
}

// TestOpenSilent: an endpoint that accepts connections and never answers
// fails at the open timeout, saying so.
func TestOpenSilent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	_, err = Open(context.Background(), WithEnv(Env{DockerHost: "tcp://" + l.Addr().String()}), WithOpenTimeout(time.Second))
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "no answer within 1s") {
		t.Fatalf("got %v; want no answer within the timeout", err)
	}
}

// TestOpenWrongProduct: asking for Podman where Docker answers (the
// mis-pointed socket of the original report, the other way round) is a
// ProductError.
func TestOpenWrongProduct(t *testing.T) {
	e := openEngine(t)
	if e.Info().Product == ProductPodman {
		t.Skip("this machine's engine is Podman")
	}
	_, err := Open(context.Background(), WithKind(Podman), WithEnv(Env{ContainerHost: e.Endpoint().Host}))
	var pe *ProductError
	if !errors.As(err, &pe) || pe.Got.Product != e.Info().Product || !errors.Is(err, ErrWrongProduct) {
		t.Fatalf("got %v; want a ProductError naming %s", err, e.Info().Product)
	}
	t.Log(err)
}

// TestRunVersion: the fixture's version is learned in the engine.
func TestRunVersion(t *testing.T) {
	e := openEngine(t)
	bin := probeBinary(t, runtime.GOARCH, "0.0.47-dev.13+g57b71c68f")
	v, err := supervisor.Detect(context.Background(), supervisor.Binary{Path: bin, Platform: hostPlatform()}, supervisor.Engine(e, 0))
	if err != nil || v != (supervisor.Version{Version: "0.0.47-dev.13+g57b71c68f", Method: supervisor.MethodEngine}) {
		t.Fatalf("got %v, %v", v, err)
	}
	// The bind-mount variant, as a gateway's smoke run does it.
	res, err := e.Run(context.Background(), RunSpec{Binary: bin, Platform: hostPlatform(), Dest: "/opt/openshell/bin/openshell-sandbox", Args: []string{"--version"}, Mount: true})
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "openshell-sandbox 0.0.47-dev.13+g57b71c68f" || res.Copied {
		t.Fatalf("mounted run: %+v, %v", res, err)
	}
}

// TestRunConfined: inside the container the binary is nobody, has no
// capabilities, no network but loopback, and cannot write the root.
func TestRunConfined(t *testing.T) {
	e := openEngine(t)
	res, err := e.Run(context.Background(), RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Args: []string{"self"}})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	want := "uid=65534 gid=65534 capeff=0000000000000000 ifaces=lo rootwrite=false"
	if got := strings.TrimSpace(string(res.Stdout)); got != want {
		t.Fatalf("inside the container: %q; want %q", got, want)
	}
}

// TestRunOutputCapped: a binary that prints a lot is cut at MaxOutput.
func TestRunOutputCapped(t *testing.T) {
	e := openEngine(t)
	res, err := e.Run(context.Background(), RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Platform: hostPlatform(), Args: []string{"spew", "1000000"}})
	if err != nil || len(res.Stdout) != MaxOutput || len(res.Stderr) != MaxOutput || !res.Truncated {
		t.Fatalf("stdout %d, stderr %d bytes, truncated %v, %v", len(res.Stdout), len(res.Stderr), res.Truncated, err)
	}
}

func testLabel(t *testing.T) map[string]string {
	var b [8]byte
	rand.Read(b[:])
	return map[string]string{"supctl-test": hex.EncodeToString(b[:])}
}

// TestRunCancelled: cancelling mid-run removes the container; while it
// runs, the engine reports the configuration Run promises.
func TestRunCancelled(t *testing.T) {
	e := openEngine(t)
	labels := testLabel(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(ctx, RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Platform: hostPlatform(), Args: []string{"sleep"}, Labels: labels, Timeout: 10 * time.Minute})
		done <- err
	}()
	var id string
	for id == "" {
		select {
		case err := <-done:
			t.Fatalf("Run returned before it was cancelled: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		for _, c := range containersLabelled(t, e, "supctl-test", labels["supctl-test"]) {
			insp, err := e.cli.ContainerInspect(context.Background(), c, client.ContainerInspectOptions{})
			if err == nil && insp.Container.State != nil && insp.Container.State.Running {
				id = c
				hc, cfg := insp.Container.HostConfig, insp.Container.Config
				if hc.NetworkMode != "none" || len(hc.CapDrop) != 1 || hc.CapDrop[0] != "ALL" || !hc.ReadonlyRootfs ||
					cfg.User != User || hc.PidsLimit == nil || *hc.PidsLimit != PidsLimit || hc.Memory != MemoryLimit ||
					len(hc.SecurityOpt) != 1 || !strings.HasPrefix(hc.SecurityOpt[0], "no-new-privileges") || hc.Privileged {
					t.Errorf("container config: network %q, cap drop %v, read-only %v, user %q, pids %v, memory %d, security %v",
						hc.NetworkMode, hc.CapDrop, hc.ReadonlyRootfs, cfg.User, hc.PidsLimit, hc.Memory, hc.SecurityOpt)
				}
			}
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
	if left := containersLabelled(t, e, "supctl-test", labels["supctl-test"]); len(left) != 0 {
		t.Fatalf("containers left after cancellation: %v", left)
	}
}

// TestRunTimeout: a binary that never exits is stopped at the timeout and
// its container removed.
func TestRunTimeout(t *testing.T) {
	e := openEngine(t)
	labels := testLabel(t)
	_, err := e.Run(context.Background(), RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Platform: hostPlatform(), Args: []string{"sleep"}, Labels: labels, Timeout: 3 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v; want a timeout", err)
	}
	if left := containersLabelled(t, e, "supctl-test", labels["supctl-test"]); len(left) != 0 {
		t.Fatalf("containers left after the timeout: %v", left)
	}
}

// TestRunForeignArch: where the engine has no emulation for arm64, the
// run is not applicable and says why. It holds the shared binfmt_misc
// test lock, so no test registers an emulator meanwhile.
func TestRunForeignArch(t *testing.T) {
	e := openEngine(t)
	other := "arm64"
	if e.Info().Arch == "arm64" {
		other = "amd64"
	}
	fixture.ForeignUnrunnable(t, other) // and skips if an emulator runs it anyway
	bin := probeBinary(t, other, "1.0.0")
	_, err := e.RunBinary(context.Background(), bin, v1.Platform{OS: "linux", Architecture: other}, "--version")
	if !errors.Is(err, ErrCannotRun) || !errors.Is(err, supervisor.ErrNotApplicable) {
		t.Fatalf("got %v; want ErrCannotRun and ErrNotApplicable", err)
	}
	if !strings.Contains(err.Error(), "linux/"+other) || !strings.Contains(err.Error(), "emulator") {
		t.Fatalf("the error does not say what cannot run and what would fix it: %v", err)
	}
	t.Log(err)
}

// TestRunnerDead: a Runner over a dead DOCKER_HOST is not applicable, and
// says which endpoint did not answer.
func TestRunnerDead(t *testing.T) {
	r := NewRunner(WithEnv(Env{DockerHost: "tcp://" + closedPort(t)}))
	defer r.Close()
	v, err := supervisor.Engine(r, 0).Probe(context.Background(), supervisor.Binary{Path: "/nonexistent/openshell-sandbox"})
	if v.Known() || !errors.Is(err, supervisor.ErrNotApplicable) || !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "DOCKER_HOST") {
		t.Fatalf("got %v, %v", v, err)
	}
}

// TestRunEmulated: with a qemu-user handler registered (F flag), the
// engine runs a binary of the other architecture and its version is
// learned with the standard probers' engine method.
func TestRunEmulated(t *testing.T) {
	e := openEngine(t)
	if e.Info().Arch != "amd64" {
		t.Skip("this test registers qemu-aarch64 on an amd64 engine host")
	}
	fixture.RegisterQemu(t, "arm64")
	bin := probeBinary(t, "arm64", "0.0.47-dev.13+g57b71c68f")
	v, err := supervisor.Detect(context.Background(), supervisor.Binary{Path: bin, Platform: v1.Platform{OS: "linux", Architecture: "arm64"}}, supervisor.Engine(e, 0))
	if err != nil || v != (supervisor.Version{Version: "0.0.47-dev.13+g57b71c68f", Method: supervisor.MethodEngine}) {
		t.Fatalf("arm64 through qemu in the engine: %v, %v", v, err)
	}
}

// TestRunLeavesNoProcess: a binary that leaves a child running when it
// exits leaves nothing on the host once Run returns.
func TestRunLeavesNoProcess(t *testing.T) {
	e := openEngine(t)
	tag := "supctl-test-" + testLabel(t)["supctl-test"]
	res, err := e.Run(context.Background(), RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Args: []string{"fork", tag}})
	if err != nil || !strings.HasPrefix(string(res.Stdout), "forked ") {
		t.Fatalf("%+v, %v", res, err)
	}
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), tag) {
			t.Errorf("a process of the run is still alive: %s: %q", p, b)
		}
	}
}

// TestSweep: a container a killed process left (expired) is removed by the
// next run of any process; one still in use (not expired) is not.
func TestSweep(t *testing.T) {
	e := openEngine(t)
	ctx := context.Background()
	img, err := e.probeImage(ctx, hostPlatform())
	if err != nil {
		t.Fatal(err)
	}
	tag := testLabel(t)
	create := func(expires string) string {
		l := map[string]string{LabelProbe: ProbeTag, LabelExpires: expires, "supctl-test": tag["supctl-test"]}
		c, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{Image: img,
			Config: &container.Config{Entrypoint: []string{"/probe/x"}, Labels: l}, HostConfig: &container.HostConfig{NetworkMode: "none"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			e.cli.ContainerRemove(context.Background(), c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		})
		return c.ID
	}
	expired := create("1")
	live := create(strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	fresh, err := OpenEndpoint(ctx, e.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.Run(ctx, RunSpec{Binary: probeBinary(t, runtime.GOARCH, "1.0.0"), Args: []string{"--version"}}); err != nil {
		t.Fatal(err)
	}
	left := containersLabelled(t, e, "supctl-test", tag["supctl-test"])
	if len(left) != 1 || left[0] != live {
		t.Fatalf("left %v; want only %s (expired: %s)", left, live, expired)
	}
}
