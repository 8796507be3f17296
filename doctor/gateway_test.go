package doctor

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/gateway"
	"github.com/openshell-contrib/supctl/internal/fixture"
)

func writeTest(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dockerLike answers pings on a unix socket as Docker does.
func dockerLike(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Api-Version", "1.45") })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return p
}

// TestCheckGatewayRules: each finding about the gateway, with its source
// and its fix. The rules are package gateway's (each cited there); the
// row comments name the upstream file of the rule a finding reports.
func TestCheckGatewayRules(t *testing.T) {
	sock := dockerLike(t)
	tests := []struct {
		name, toml, env string
		shellDockerHost string
		jwt             bool
		sev             Severity
		want, fix       string
		stale           bool // a 0.0.37 extraction in the gateway's docker-supervisor/
	}{
		// NVIDIA/OpenShell crates/openshell-server/src/config_file.rs load: a TOML error stops the gateway.
		{"config does not parse", "[openshell.drivers.docker]\nsupervisor_bin = /x\n", "", "", true, SeverityProblem, "gateway.toml does not parse at line 2", "fix line 2 of", false},
		// deploy/deb/openshell-gateway.service EnvironmentFile=: a line systemd and sh read differently.
		{"env file does not parse", "", "OPENSHELL_DRIVERS docker\n", "", true, SeverityProblem, "gateway.env does not parse at line 1", "fix line 1 of", false},
		// crates/openshell-server/src/lib.rs ComputeDriverRegistry::select: one driver only.
		{"two drivers", "[openshell.gateway]\ncompute_drivers = [\"docker\", \"podman\"]\n", "", "", true, SeverityProblem, "multiple compute drivers", "set one driver", false},
		// crates/openshell-server/src/defaults.rs complete_local_jwt_config: none at all.
		{"no JWT", "", "OPENSHELL_DRIVERS=docker\n", "", false, SeverityProblem, "requires a sandbox principal", "generate-certs", false},
		// crates/openshell-core/src/config.rs docker_socket_candidates: the gateway ignores Docker contexts and tcp:// hosts.
		{"engines differ", "[openshell.drivers.docker]\nsocket_path = \"" + sock + "\"\n", "OPENSHELL_DRIVERS=docker\n", "tcp://127.0.0.1:9", true, SeverityWarning, "but supctl talks to tcp://127.0.0.1:9", "DOCKER_HOST=unix://" + sock, false},
		// crates/openshell-driver-docker/src/lib.rs resolve_supervisor_bin_source: supervisor_bin must exist.
		// crates/openshell-core/src/driver_utils.rs supervisor_cache_path: an extraction the gateway may mount (its engine not asked).
		{"stale extraction, mount not known", "[openshell.drivers.docker]\nsupervisor_image = \"x:1\"\n", "OPENSHELL_DRIVERS=docker\n", "", true, SeverityProblem, "version 0.0.37-dev.1, outside \">=0.0.47-0 <0.0.48-0\"; the gateway may mount it", "a collection of the gateway's extractions", true},
		// crates/openshell-driver-docker/src/lib.rs resolve_supervisor_bin_source tier 1: supervisor_bin wins, the extraction is not mounted.
		{"stale extraction, supervisor_bin set", "[openshell.drivers.docker]\nsupervisor_bin = \"GOOD\"\n", "OPENSHELL_DRIVERS=docker\n", "", true, SeverityWarning, "not mounted now", "a collection of the gateway's extractions", true},
		{"supervisor_bin missing", "[openshell.drivers.docker]\nsupervisor_bin = \"/nonexistent/openshell-sandbox\"\n", "OPENSHELL_DRIVERS=docker\n", "", true, SeverityProblem, "supervisor_bin /nonexistent/openshell-sandbox", "point supervisor_bin", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("DOCKER_HOST", tt.shellDockerHost)
			if tt.shellDockerHost == "" {
				os.Unsetenv("DOCKER_HOST")
			}
			t.Setenv("DOCKER_CONFIG", t.TempDir())
			writeTest(t, filepath.Join(home, ".config", "openshell", "gateway.toml"), tt.toml)
			if tt.env != "" {
				writeTest(t, filepath.Join(home, ".config", "openshell", "gateway.env"), tt.env)
			}
			if tt.jwt {
				for _, f := range gateway.JWTFiles {
					writeTest(t, filepath.Join(home, ".local", "state", "openshell", "tls", f), "x")
				}
			}
			if tt.stale {
				ctx := context.Background()
				bad, err := fixture.BuildSupervisor(ctx, t.TempDir(), runtime.GOARCH, "0.0.37-dev.1")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(bad)
				writeTest(t, filepath.Join(home, ".local", "share", "openshell", "docker-supervisor", "sha256-"+strings.Repeat("1", 64), "openshell-sandbox"), string(b))
				good, err := fixture.BuildSupervisor(ctx, t.TempDir(), runtime.GOARCH, "0.0.47-dev.2")
				if err != nil {
					t.Fatal(err)
				}
				writeTest(t, filepath.Join(home, ".config", "openshell", "gateway.toml"), strings.ReplaceAll(tt.toml, "GOOD", good))
			}
			env := gateway.Env{"HOME": home, "PATH": "/nonexistent"}
			r, err := Check(context.Background(), t.TempDir(), WithEngine("none"), WithRange(compat.MustParse(">=0.0.47-0 <0.0.48-0")),
				WithGateway(gateway.Options{Env: env, NoEngine: true}))
			if err != nil {
				t.Fatal(err)
			}
			if r.Gateway == nil || !r.Gateway.Found {
				t.Fatalf("no gateway found: %+v", r.Gateway)
			}
			for _, p := range r.Problems {
				if p.Area == "gateway" && p.Severity == tt.sev && strings.Contains(p.Message, tt.want) && strings.Contains(p.Fix, tt.fix) {
					return
				}
			}
			t.Fatalf("no %s %q with fix %q in %+v", tt.sev, tt.want, tt.fix, r.Problems)
		})
	}
}

// TestCheckNoGateway: a machine without a gateway gets no gateway problem.
func TestCheckNoGateway(t *testing.T) {
	home := t.TempDir()
	r, err := Check(context.Background(), t.TempDir(), WithEngine("none"),
		WithGateway(gateway.Options{Env: gateway.Env{"HOME": home, "PATH": "/nonexistent"}, NoEngine: true}))
	if err != nil {
		t.Fatal(err)
	}
	if r.Gateway == nil || r.Gateway.Found || len(problems(r, "gateway")) != 0 {
		t.Fatalf("%+v %+v", r.Gateway, r.Problems)
	}
}

// TestCheckCreatesNothing: doctor on the gateway's own docker-supervisor/
// (extractions, no supctl cache yet) creates nothing in it.
func TestCheckCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "docker-supervisor")
	writeTest(t, filepath.Join(dir, "sha256-"+strings.Repeat("0", 64), "openshell-sandbox"), "\x7fELF")
	r, err := Check(context.Background(), dir, WithEngine("none"), WithoutGateway())
	if err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(dir)
	if err != nil || len(des) != 1 || !r.Cache.Exists || r.Cache.Note == "" {
		t.Fatalf("after doctor: %v, %v; cache %+v", des, err, r.Cache)
	}
}

// TestCheckGatewayUnreadableFiles: a config the gateway is told to read
// that is missing, or that is not a regular file (a FIFO, which must not
// hang doctor), is a problem even where nothing else of a gateway is
// found: the gateway would not start.
func TestCheckGatewayUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "gateway.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, config, want string }{
		{"missing", filepath.Join(dir, "missing.toml"), "does not exist"},
		{"FIFO", fifo, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Check(context.Background(), t.TempDir(), WithEngine("none"),
				WithGateway(gateway.Options{Config: tc.config, Env: gateway.Env{"HOME": t.TempDir(), "PATH": "/nonexistent"}, NoEngine: true}))
			if err != nil {
				t.Fatal(err)
			}
			ps := problems(r, "gateway")
			if r.Gateway == nil || !r.Gateway.Found || len(ps) == 0 || !strings.Contains(ps[0].Message, tc.want) {
				t.Fatalf("gateway %+v, problems %+v; want the first to name %q", r.Gateway, ps, tc.want)
			}
		})
	}
}
