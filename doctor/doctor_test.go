package doctor

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

const fixtureVersion = "0.0.47-dev.13+g57b71c68f"

// requireEngine skips the test when this machine has no engine, unless
// SUPCTL_REQUIRE_ENGINE=1 (as in CI) makes that a failure.
func requireEngine(t *testing.T) engine.Diagnosis {
	t.Helper()
	d := engine.Diagnose(context.Background())
	if d.Err != nil {
		if os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
			t.Fatalf("no container engine, and SUPCTL_REQUIRE_ENGINE=1: %v", d.Err)
		}
		t.Skipf("no container engine: %v", d.Err)
	}
	return d
}

// pulled returns a cache directory holding the fixture supervisor for this
// host's platform, pulled from an in-process registry, and its reference.
func pulled(t *testing.T) (dir, ref string) {
	t.Helper()
	ctx := context.Background()
	reg := fixture.Serve()
	t.Cleanup(reg.Close)
	ref, _, err := reg.PushSupervisor(ctx, "openshell/supervisor:dev", fixture.Options{
		Version: fixtureVersion, Platforms: []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}})
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolver.New(c, resolver.WithEngine(engine.None))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, ref); err != nil {
		t.Fatal(err)
	}
	return dir, ref
}

func problems(r *Report, area string) []Problem {
	var ps []Problem
	for _, p := range r.Problems {
		if p.Area == area && p.Severity == SeverityProblem {
			ps = append(ps, p)
		}
	}
	return ps
}

// hasKind reports whether r has a problem (warnings aside) of kind k.
func hasKind(r *Report, k Kind) bool {
	for _, p := range r.Problems {
		if p.Kind == k && p.Severity == SeverityProblem {
			return true
		}
	}
	return false
}

// TestCheckHealthy: the real engine, a sound cache and a compatible
// supervisor: no problem.
func TestCheckHealthy(t *testing.T) {
	d := requireEngine(t)
	dir, ref := pulled(t)
	r, err := Check(context.Background(), dir, WithRefs(ref), WithRange(compat.MustParse(">=0.0.47-0 <0.1.0")))
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(problems(r, "engine"))+len(problems(r, "cache"))+len(problems(r, "ref")) != 0 {
		t.Fatalf("problems in a healthy setup: %+v", r.Problems)
	}
	if r.Engine.Info == nil || r.Engine.Info.Product != d.Info.Product || r.Engine.Endpoint == nil || r.Engine.Why == "" {
		t.Fatalf("engine: %+v", r.Engine)
	}
	if len(r.Refs) != 1 || r.Refs[0].Verdict != VerdictCompatible || r.Refs[0].Version != fixtureVersion || r.Refs[0].Digest == "" || r.Refs[0].Age == "" {
		t.Fatalf("refs: %+v", r.Refs)
	}
	if !r.Cache.Exists || r.Cache.Entries != 1 || r.Cache.Owner != os.Getuid() {
		t.Fatalf("cache: %+v", r.Cache)
	}
	// Every recorded ref, when none is named.
	all, err := Check(context.Background(), dir)
	if err != nil || len(all.Refs) != 1 || all.Refs[0].Ref != r.Refs[0].Ref || all.Refs[0].Verdict != VerdictNoRange {
		t.Fatalf("recorded refs: %+v, %v", all, err)
	}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// webServer serves a web page on loopback and returns its address.
func webServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>not an engine</html>", http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestCheckEngine: a dead DOCKER_HOST and an engine that is not the
// product asked for are problems (exit 1) whose fix names what to change.
func TestCheckEngine(t *testing.T) {
	d := requireEngine(t)
	if d.Info.Product == engine.ProductPodman {
		t.Skip("this machine's engine is Podman")
	}
	tests := []struct {
		name string
		opt  Option
		want error
		fix  string
	}{
		{"dead unix DOCKER_HOST", WithEngine(engine.Auto, engine.WithEnv(engine.Env{DockerHost: "unix:///nonexistent/supctl-test.sock"})), engine.ErrUnreachable, "DOCKER_HOST"},
		{"dead tcp DOCKER_HOST", WithEngine(engine.Auto, engine.WithEnv(engine.Env{DockerHost: "tcp://" + closedPort(t)})), engine.ErrUnreachable, "DOCKER_HOST"},
		// DOCKER_HOST at something that is no engine (a registry, say).
		{"DOCKER_HOST at a web server", WithEngine(engine.Auto, engine.WithEnv(engine.Env{DockerHost: "tcp://" + webServer(t)})), engine.ErrUnreachable, "DOCKER_HOST"},
		// Podman asked for, Docker behind the socket: the original
		// report's mis-pointed socket, the other way round.
		{"mis-pointed", WithEngine(engine.Podman, engine.WithEnv(engine.Env{ContainerHost: d.Endpoint.Host})), engine.ErrWrongProduct, "podman"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Check(context.Background(), t.TempDir(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			ps := problems(r, "engine")
			if len(ps) != 1 || ps[0].Kind != KindEngine || !errors.Is(r.Engine.Err, tc.want) || !strings.Contains(ps[0].Fix, tc.fix) {
				t.Fatalf("problems %+v, engine error %v", r.Problems, r.Engine.Err)
			}
			if strings.Contains(tc.name, "web server") != strings.Contains(ps[0].Message, "not as a container engine") {
				t.Errorf("does not tell an answer that is no engine from no answer: %s", ps[0].Message)
			}
			t.Logf("%s; fix: %s", ps[0].Message, ps[0].Fix)
		})
	}
}

// TestCheckRef: an incompatible supervisor is exit 3; a REF not cached is
// exit 4; a damaged entry is exit 6, and outranks a missing REF.
func TestCheckRef(t *testing.T) {
	dir, ref := pulled(t)
	none := WithEngine(engine.None)
	r, err := Check(context.Background(), dir, none, WithRefs(ref), WithRange(compat.MustParse(">=0.1.0")))
	if err != nil || !hasKind(r, KindIncompatible) || r.Refs[0].Verdict != VerdictIncompatible || r.Refs[0].Version != fixtureVersion {
		t.Fatalf("incompatible: %+v, %v", r, err)
	}
	if ps := problems(r, "ref"); len(ps) != 1 || !strings.Contains(ps[0].Message, fixtureVersion) || !strings.Contains(ps[0].Message, ">=0.1.0") {
		t.Fatalf("the problem does not name the version and the range: %+v", ps)
	}
	missing := strings.Replace(ref, ":dev", ":other", 1)
	r, err = Check(context.Background(), dir, none, WithRefs(missing))
	if err != nil || !hasKind(r, KindNotCached) || r.Refs[0].Verdict != VerdictNotCached {
		t.Fatalf("not cached: %+v, %v", r, err)
	}
	other := "linux/arm64"
	if runtime.GOARCH == "arm64" {
		other = "linux/amd64"
	}
	r, err = Check(context.Background(), dir, none, WithRefs(ref), WithPlatform(other))
	if err != nil || !hasKind(r, KindNotCached) || len(problems(r, "ref")) != 1 {
		t.Fatalf("a platform the image lacks: %+v, %v", r, err)
	}
	// Damage the binary: verify reports it, and doctor says so.
	bins, _ := filepath.Glob(filepath.Join(dir, "entries", "*", "openshell-sandbox"))
	if len(bins) != 1 {
		t.Fatalf("entries: %v", bins)
	}
	os.Chmod(bins[0], 0o755)
	f, err := os.OpenFile(bins[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Close()
	r, err = Check(context.Background(), dir, none, WithRefs(missing))
	if err != nil || !hasKind(r, KindDamaged) || len(problems(r, "cache")) == 0 {
		t.Fatalf("damaged: %+v, %v", r, err)
	}
}

// TestCheckEmulators reads a binfmt_misc directory.
func TestCheckEmulators(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "register"), nil, 0o200)
	os.WriteFile(filepath.Join(dir, "status"), []byte("enabled\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "supctl-test-qemu-riscv"), []byte("enabled\ninterpreter /usr/bin/qemu-riscv64-static\nflags: \n"), 0o644)
	os.WriteFile(filepath.Join(dir, "qemu-aarch64"), []byte("enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POCF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\n"), 0o644)
	ems, err := supervisor.Emulators(dir)
	if err != nil || len(ems) != 2 || ems[0] != (supervisor.Emulator{Name: "qemu-aarch64", Arch: "arm64", Interpreter: "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", Enabled: true, Fixed: true}) ||
		ems[1] != (supervisor.Emulator{Name: "supctl-test-qemu-riscv", Arch: "riscv64", Interpreter: "/usr/bin/qemu-riscv64-static", Enabled: true}) {
		t.Fatalf("got %+v, %v", ems, err)
	}
}

func hasWarning(r *Report, substr string) bool {
	for _, p := range r.Problems {
		if p.Severity == SeverityWarning && strings.Contains(p.Message, substr) {
			return true
		}
	}
	return false
}

// TestCheckEmulation: a target the engine's architecture is not is a
// warning until an emulator for it is registered on this host.
func TestCheckEmulation(t *testing.T) {
	d := requireEngine(t)
	if d.Info.Arch != "amd64" || d.Info.Product == engine.ProductDockerDesktop {
		t.Skip("needs an amd64 engine on this host")
	}
	t.Run("none", func(t *testing.T) {
		fixture.ForeignUnrunnable(t, "arm64")
		r, err := Check(context.Background(), t.TempDir(), WithPlatform("linux/arm64"))
		if err != nil || !hasWarning(r, "no emulator for arm64") {
			t.Fatalf("no emulator: %+v, %v", r.Problems, err)
		}
	})
	t.Run("qemu", func(t *testing.T) {
		fixture.RegisterQemu(t, "arm64")
		r, err := Check(context.Background(), t.TempDir(), WithPlatform("linux/arm64"))
		if err != nil || hasWarning(r, "emulator") {
			t.Fatalf("with qemu: %+v, %v", r.Problems, err)
		}
		found := false
		for _, em := range r.Host.Emulators {
			found = found || em.Arch == "arm64" && em.Enabled && em.Fixed
		}
		if !found {
			t.Fatalf("emulators: %+v", r.Host.Emulators)
		}
	})
}
