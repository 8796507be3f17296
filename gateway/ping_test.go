package gateway

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/openshell-contrib/supctl/internal/enginetest"
)

// serve answers HTTP on a unix socket with the given headers.
func serve(t *testing.T, status int, headers map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return p
}

// TestPing: the gateway's ping (NVIDIA/OpenShell crates/openshell-core/src/config.rs
// podman_socket_responds, docker_socket_responds).
func TestPing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		status  int
		headers map[string]string
		want    string
	}{
		{"docker", 200, map[string]string{"Api-Version": "1.45"}, AnswerDocker},
		{"podman", 200, map[string]string{"Api-Version": "1.41", "Libpod-Api-Version": "4.3.1"}, AnswerPodman},
		{"not ok", 500, map[string]string{"Api-Version": "1.45"}, AnswerOther},
		{"no header", 200, nil, AnswerOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ping(ctx, serve(t, tt.status, tt.headers)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := Ping(ctx, filepath.Join(t.TempDir(), "none.sock")); got != AnswerNoSocket {
		t.Fatalf("missing socket: %q", got)
	}
}

// TestPingRealPodman: Debian's podman, its API socket started by the test,
// answers as Podman, and auto-detection picks Podman through
// OPENSHELL_PODMAN_SOCKET before Docker.
func TestPingRealPodman(t *testing.T) {
	sock := enginetest.StartPodman(t).Socket
	ctx := context.Background()
	if got := Ping(ctx, sock); got != AnswerPodman {
		t.Fatalf("real podman answers %q", got)
	}
	d := chooseDriver(ctx, Env{"HOME": t.TempDir(), "OPENSHELL_PODMAN_SOCKET": sock}, EnvFile{}, Config{}, 65534, "linux", Ping)
	if d.Name != "podman" || d.Configured || len(d.Probes) < 2 || !d.Probes[1].Chosen || d.Probes[1].What != sock {
		t.Fatalf("%+v", d)
	}
}
