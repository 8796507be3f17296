package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"

	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/supervisor"
)

// The tests of this file run against a real Podman API service that they
// start themselves (Debian's podman, rootful, vfs storage), beside the
// machine's Docker engine.

// TestPodmanDiscover: Podman's socket is found by each way discovery has
// to it, the product is told from its answer, and the endpoint says how
// it was chosen; kind docker refuses it.
func TestPodmanDiscover(t *testing.T) {
	p := enginetest.StartPodman(t)
	version := strings.TrimPrefix(p.Version, "podman version ")
	tests := []struct {
		name   string
		kind   engine.Kind
		env    engine.Env
		source engine.EndpointSource
		why    string
	}{
		{"CONTAINER_HOST", engine.Podman, engine.Env{ContainerHost: p.Host(), DockerHost: "unix:///nonexistent/docker.sock"}, engine.SourceContainerHost, "CONTAINER_HOST"},
		{"rootless socket under XDG_RUNTIME_DIR", engine.Podman, engine.Env{XDGRuntimeDir: p.RuntimeDir}, engine.SourceSocket, "the standard socket"},
		{"DOCKER_HOST at Podman", engine.Auto, engine.Env{DockerHost: p.Host()}, engine.SourceDockerHost, "DOCKER_HOST"},
		{"Docker context at Podman", engine.Auto, engine.Env{DockerConfig: engine.WriteContext(t, "podman", p.Host())}, engine.SourceContext, `Docker context "podman"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.source == engine.SourceSocket {
				if _, err := os.Stat(engine.PodmanRootfulSocket); err == nil {
					t.Skipf("%s exists on this machine and comes first", engine.PodmanRootfulSocket)
				}
			}
			ep, err := engine.Discover(tc.kind, tc.env)
			if err != nil || ep.Source != tc.source || ep.Socket != p.Socket || ep.Why() != tc.why {
				t.Fatalf("Discover: %+v (why %q), %v; want source %s, socket %s, why %q", ep, ep.Why(), err, tc.source, p.Socket, tc.why)
			}
			e, err := engine.Open(context.Background(), engine.WithKind(tc.kind), engine.WithEnv(tc.env), engine.WithOpenTimeout(enginetest.PodmanOpenTimeout))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			info := e.Info()
			if info.Product != engine.ProductPodman || info.Version != version || info.Platform() != "linux/"+runtime.GOARCH || info.APIVersion == "" {
				t.Fatalf("info %+v; want Podman %s on linux/%s", info, version, runtime.GOARCH)
			}
			if e.Endpoint() != ep {
				t.Fatalf("opened %+v; discovered %+v", e.Endpoint(), ep)
			}
			d := engine.Diagnose(context.Background(), engine.WithKind(tc.kind), engine.WithEnv(tc.env), engine.WithOpenTimeout(enginetest.PodmanOpenTimeout))
			if d.Err != nil || d.Info == nil || d.Info.Product != engine.ProductPodman || d.Endpoint == nil || *d.Endpoint != ep {
				t.Fatalf("Diagnose: %+v", d)
			}
		})
	}
	t.Run("docker refuses Podman", func(t *testing.T) {
		_, err := engine.Open(context.Background(), engine.WithKind(engine.Docker), engine.WithEnv(engine.Env{DockerHost: p.Host()}), engine.WithOpenTimeout(enginetest.PodmanOpenTimeout))
		var pe *engine.ProductError
		if !errors.As(err, &pe) || !errors.Is(err, engine.ErrWrongProduct) || pe.Got.Product != engine.ProductPodman || !strings.Contains(err.Error(), "DOCKER_HOST") {
			t.Fatalf("got %v; want a ProductError naming Podman and DOCKER_HOST", err)
		}
		t.Log(err)
	})
}

// TestPodmanRun: the version is learned in a Podman container through the
// standard probers' engine method, and the container is as confined as
// in Docker, mounted or copied.
func TestPodmanRun(t *testing.T) {
	e, p := enginetest.OpenPodman(t)
	ctx := context.Background()
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	bin := engine.ProbeBinary(t, runtime.GOARCH, "0.0.47-dev.13+g57b71c68f")

	// engine.Probers with Podman: its engine method answers, in Podman.
	found := false
	var tried []string
	for _, pr := range engine.Probers(engine.Podman, p.Options()...) {
		v, err := pr.Probe(ctx, supervisor.Binary{Path: bin, Platform: host})
		tried = append(tried, fmt.Sprintf("%T: %+v, %v", pr, v, err))
		if v.Method == supervisor.MethodEngine {
			found = true
			if err != nil || v.Version != "0.0.47-dev.13+g57b71c68f" {
				t.Fatalf("the engine prober in Podman: %v, %v", v, err)
			}
		}
	}
	if !found {
		t.Fatalf("no prober of engine.Probers(Podman) learned the version in the engine; they answered:\n%s", strings.Join(tried, "\n"))
	}

	res, err := e.Run(ctx, engine.RunSpec{Binary: bin, Platform: host, Dest: "/opt/openshell/bin/openshell-sandbox", Args: []string{"--version"}, Mount: true})
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "openshell-sandbox 0.0.47-dev.13+g57b71c68f" || res.Copied {
		t.Fatalf("mounted run: %+v, %v", res, err)
	}
	res, err = e.Run(ctx, engine.RunSpec{Binary: bin, Args: []string{"self"}})
	want := "uid=65534 gid=65534 capeff=0000000000000000 ifaces=lo rootwrite=false"
	if got := strings.TrimSpace(string(res.Stdout)); err != nil || got != want || !res.Copied {
		t.Fatalf("inside the container: %q, %v; want %q", got, err, want)
	}
	res, err = e.Run(ctx, engine.RunSpec{Binary: bin, Args: []string{"spew", "1000000"}})
	if err != nil || len(res.Stdout) != engine.MaxOutput || len(res.Stderr) != engine.MaxOutput || !res.Truncated {
		t.Fatalf("stdout %d, stderr %d bytes, truncated %v, %v", len(res.Stdout), len(res.Stderr), res.Truncated, err)
	}
}

// TestPodmanRunTimeout: a binary that never exits is stopped at the
// timeout, and Podman is left with no container of the run.
func TestPodmanRunTimeout(t *testing.T) {
	e, p := enginetest.OpenPodman(t)
	label := map[string]string{"supctl-test": "podman-timeout"}
	_, err := e.Run(context.Background(), engine.RunSpec{Binary: engine.ProbeBinary(t, runtime.GOARCH, "1.0.0"), Args: []string{"sleep"}, Labels: label, Timeout: 3 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v; want a timeout", err)
	}
	cli, err := client.New(client.WithHost(p.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	left, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", engine.LabelProbe)})
	if err != nil || len(left.Items) != 0 {
		t.Fatalf("containers left in Podman: %+v, %v", left.Items, err)
	}
}

// TestRunLimits: in Docker and in Podman alike, the binary runs with the
// limits of open files and processes that Run sets (Podman's own
// defaults, which a Podman without CAP_SYS_RESOURCE cannot grant, made
// every run fail there).
func TestRunLimits(t *testing.T) {
	engines := map[string]func(t *testing.T) *engine.Engine{
		"docker": func(t *testing.T) *engine.Engine { return enginetest.Open(t) },
		"podman": func(t *testing.T) *engine.Engine { e, _ := enginetest.OpenPodman(t); return e },
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			res, err := e.Run(context.Background(), engine.RunSpec{Binary: engine.ProbeBinary(t, runtime.GOARCH, "1.0.0"), Args: []string{"limits"}})
			want := "nofile=1024/1024 nproc=4096/4096"
			if got := strings.TrimSpace(string(res.Stdout)); err != nil || got != want {
				t.Fatalf("limits in %s: %q, %v; want %q", e.Info().Product, got, err, want)
			}
		})
	}
}
