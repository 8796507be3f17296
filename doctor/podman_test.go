package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/enginetest"
)

func warnings(r *Report, area string) []Problem {
	var ps []Problem
	for _, p := range r.Problems {
		if p.Area == area && p.Severity == SeverityWarning {
			ps = append(ps, p)
		}
	}
	return ps
}

// TestCheckPodman: doctor's engine and socket checks with a real Podman
// socket: found by CONTAINER_HOST or DOCKER_HOST and named as Podman, a
// Docker socket that leads elsewhere is a warning, and Podman where Docker
// is asked for is a problem whose fix names the variable.
func TestCheckPodman(t *testing.T) {
	p := enginetest.StartPodman(t)
	slow := engine.WithOpenTimeout(enginetest.PodmanOpenTimeout)
	tests := []struct {
		name    string
		opt     Option
		why     string
		problem string // "": none
		fix     string
	}{
		{"CONTAINER_HOST", WithEngine(engine.Podman, engine.WithEnv(p.Env()), slow), "CONTAINER_HOST", "", ""},
		{"DOCKER_HOST at Podman", WithEngine(engine.Auto, engine.WithEnv(engine.Env{DockerHost: p.Host()}), slow), "DOCKER_HOST", "", ""},
		{"docker asked, Podman answers", WithEngine(engine.Docker, engine.WithEnv(engine.Env{DockerHost: p.Host()}), slow), "DOCKER_HOST", "is Podman", "DOCKER_HOST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Check(context.Background(), t.TempDir(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Engine.Info == nil || r.Engine.Info.Product != engine.ProductPodman || r.Engine.Why != tc.why || r.Engine.Endpoint.Socket != p.Socket {
				t.Fatalf("engine %+v (info %+v); want Podman at %s from %s", r.Engine, r.Engine.Info, p.Socket, tc.why)
			}
			ps := problems(r, "engine")
			if tc.problem == "" && (len(ps) != 0 || !r.OK()) {
				t.Fatalf("problems %+v", r.Problems)
			}
			if tc.problem != "" && (len(ps) != 1 || ps[0].Kind != KindEngine || !strings.Contains(ps[0].Message, tc.problem) || !strings.Contains(ps[0].Fix, tc.fix)) {
				t.Fatalf("problems %+v; want one of kind engine naming %q, fixed by %s", ps, tc.problem, tc.fix)
			}
			// This machine's Docker socket leads to Docker, not to the
			// Podman in use: tools on the default socket talk to another
			// engine.
			ws := warnings(r, "engine")
			if r.Engine.DockerSocket.Exists && (len(ws) != 1 || !strings.Contains(ws[0].Message, engine.DockerSocket) || !strings.Contains(ws[0].Message, "another engine")) {
				t.Fatalf("warnings %+v; want one saying %s leads to another engine", ws, engine.DockerSocket)
			}
			for _, w := range append(ps, ws...) {
				t.Logf("%s; fix: %s", w.Message, w.Fix)
			}
		})
	}
}
