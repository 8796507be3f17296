package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/gateway"
	"github.com/openshell-contrib/supctl/internal/fixture"
)

// TestFromGatewayConfig: the example reads the supervisor_image the
// gateway's own gateway.toml names (inherited from [openshell.gateway],
// as the gateway inherits it) and resolves it.
func TestFromGatewayConfig(t *testing.T) {
	ctx := context.Background()
	reg := fixture.Serve()
	t.Cleanup(reg.Close)
	ref, _, err := reg.PushSupervisor(ctx, "openshell/supervisor:0.0.47", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}})
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	toml := filepath.Join(home, ".config", "openshell", "gateway.toml")
	if err := os.MkdirAll(filepath.Dir(toml), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(toml, []byte("[openshell.gateway]\nsupervisor_image = \""+ref+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs, out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg, err := fromGatewayConfig(ctx, driverConfig{CacheDir: t.TempDir()}, "", gateway.Env{"HOME": home}, log)
	if err != nil || cfg.SupervisorImage != ref {
		t.Fatalf("%+v, %v", cfg, err)
	}
	sup, release, err := selectSupervisor(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if sup.Version != fixture.DefaultVersion || !strings.Contains(logs.String(), "supervisor_image="+ref) {
		t.Fatalf("%+v\n%s%s", sup, logs.String(), out.String())
	}
	// A line that does not parse is an error naming it.
	if err := os.WriteFile(toml, []byte("[openshell.gateway]\nsupervisor_image = x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fromGatewayConfig(ctx, driverConfig{}, "", gateway.Env{"HOME": home}, log); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad line: %v", err)
	}
}
