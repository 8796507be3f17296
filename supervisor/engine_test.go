package supervisor

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeRunner answers RunBinary with fixed output and error.
type fakeRunner struct {
	out  string
	err  error
	args []string
}

func (f *fakeRunner) RunBinary(_ context.Context, _ string, _ v1.Platform, args ...string) ([]byte, error) {
	f.args = args
	return []byte(f.out), f.err
}

func TestEngineProber(t *testing.T) {
	tests := []struct {
		name    string
		runner  *fakeRunner
		want    Version
		wantErr error
	}{
		{"version", &fakeRunner{out: "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n"}, Version{"0.0.47-dev.13+g57b71c68f", SourceEngine}, nil},
		{"junk", &fakeRunner{out: "hello\n"}, unknown, ErrUnknownVersion},
		{"exec format error", &fakeRunner{err: errors.New("exit status 1: exec format error")}, unknown, ErrUnknownVersion},
		{"no engine", &fakeRunner{err: ErrNotApplicable}, unknown, ErrNotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Engine(tc.runner, 0).Probe(context.Background(), Binary{Path: "/x/openshell-sandbox"})
			if v != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("got %v, %v; want %v, %v", v, err, tc.want, tc.wantErr)
			}
			if len(tc.runner.args) != 1 || tc.runner.args[0] != "--version" {
				t.Fatalf("ran with %q", tc.runner.args)
			}
		})
	}
}

// TestDockerCLI runs real binaries in the real engine. CI sets
// SUPCTL_REQUIRE_ENGINE=1, which turns a missing engine into a failure.
func TestDockerCLI(t *testing.T) {
	if exec.Command("docker", "version").Run() != nil {
		if os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
			t.Fatal("no container engine answers \"docker version\", and SUPCTL_REQUIRE_ENGINE=1")
		}
		t.Skip("no container engine answers \"docker version\"")
	}
	dir := t.TempDir()
	amd := fakeSupervisor(t, "amd64", testVersion)
	probers := []Prober{Engine(DockerCLI{}, 0)}
	v, err := Detect(context.Background(), Binary{Path: amd, Platform: v1.Platform{OS: "linux", Architecture: "amd64"}}, probers...)
	if err != nil || v != (Version{testVersion, SourceEngine}) {
		t.Fatalf("amd64 binary in the engine: %v, %v", v, err)
	}
	script := filepath.Join(dir, "openshell-sandbox-script")
	os.WriteFile(script, []byte("#!/bin/sh\necho openshell-sandbox 9.9.9\n"), 0o755)
	v, err = Detect(context.Background(), Binary{Path: script, Name: "openshell-sandbox", Platform: v1.Platform{OS: "linux", Architecture: "amd64"}}, probers...)
	if err != nil || v.Known() {
		t.Fatalf("a script cannot run in the empty probe image: got %v, %v; want unknown", v, err)
	}
}
