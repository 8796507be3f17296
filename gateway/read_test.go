package gateway

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGatewayVersion: "openshell-gateway --version", the user's own
// program (NVIDIA/OpenShell crates/openshell-server/src/cli.rs: clap's
// version line, openshell_core::VERSION).
func TestGatewayVersion(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, script, want, err string
	}{
		{"clap line", "echo 'openshell-gateway 0.0.47-dev.12+g68d428055'", "0.0.47-dev.12+g68d428055", ""},
		{"crate name", "echo 'openshell-server 0.0.47'", "0.0.47", ""},
		{"not a version", "echo 'openshell-gateway dev'", "", "--version"},
		{"fails", "echo boom >&2; exit 3", "", "boom"},
		{"hangs", "exec sleep 60", "", "did not finish"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"), BinaryName)
			write(t, p, "#!/bin/sh\n"+tt.script+"\n", 0o755)
			v, err := gatewayVersion(context.Background(), p, 200*time.Millisecond)
			if v != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("got %q, %v", v, err)
			}
		})
	}
}

// TestReadHomebrew: a gateway installed by the Homebrew formula
// (NVIDIA/OpenShell tasks/scripts/release.py): its config in the prefix
// when the user has none, the TLS directory defaulting to the service's
// copy, the env file in the prefix when the user has none, the prefix's
// TLS directory named as a complete copy.
func TestReadHomebrew(t *testing.T) {
	home, prefix := t.TempDir(), t.TempDir()
	write(t, filepath.Join(prefix, "bin", BinaryName), "#!/bin/sh\necho 'openshell-gateway 0.0.47'\n", 0o755)
	write(t, filepath.Join(prefix, "var", "openshell", "gateway.toml"), "[openshell]\nversion = 1\n\n[openshell.gateway]\n", 0o644)
	write(t, filepath.Join(prefix, "var", "openshell", "gateway.env"), "OPENSHELL_DRIVERS=vm\n", 0o644)
	for _, f := range JWTFiles {
		write(t, filepath.Join(prefix, "var", "openshell", "tls", f), "x", 0o600)
	}
	g, err := Read(context.Background(), Options{Env: Env{"HOME": home, "PATH": filepath.Join(prefix, "bin")}, NoEngine: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.Packaging != "homebrew" || g.HomebrewPrefix != prefix || g.Binary.Version != "0.0.47" {
		t.Fatalf("%+v", g)
	}
	if g.Config.Source != "Homebrew prefix" || !g.Config.Exists || g.EnvFile.Source != "Homebrew prefix" {
		t.Fatalf("files: %+v %+v", g.Config.File, g.EnvFile.File)
	}
	if g.Driver.Name != "vm" || !g.Driver.Configured || g.Mount != nil {
		t.Fatalf("driver: %+v", g.Driver)
	}
	if g.JWT.Dir != filepath.Join(home, ".local", "state", "openshell", "homebrew", "tls") || g.JWT.State != JWTNone ||
		len(g.JWT.Copies) != 1 || g.JWT.Copies[0] != filepath.Join(prefix, "var", "openshell", "tls") {
		t.Fatalf("jwt: %+v", g.JWT)
	}
}
