package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"
)

// openEngine opens this machine's engine, or skips the test when there is
// none. CI sets SUPCTL_REQUIRE_ENGINE=1, which turns a missing engine into
// a failure.
func openEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background())
	if err != nil {
		if os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
			t.Fatalf("no container engine, and SUPCTL_REQUIRE_ENGINE=1: %v", err)
		}
		t.Skipf("no container engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

var (
	probeMu    sync.Mutex
	probeBuilt = map[string]string{}
)

// probeBinary builds testdata/probe for linux/goarch, reporting version.
func probeBinary(t *testing.T, goarch, version string) string {
	t.Helper()
	probeMu.Lock()
	defer probeMu.Unlock()
	key := goarch + " " + version
	if p, ok := probeBuilt[key]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "supctl-test-probe-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "openshell-sandbox")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+version, "-o", out, "./testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the probe binary: %v\n%s", err, b)
	}
	probeBuilt[key] = out
	return out
}

func hostPlatform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// containersLabelled lists the containers, running or not, that carry
// label key=value.
func containersLabelled(t *testing.T, e *Engine, key, value string) []string {
	t.Helper()
	res, err := e.cli.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", key+"="+value)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range res.Items {
		ids = append(ids, c.ID)
	}
	return ids
}
