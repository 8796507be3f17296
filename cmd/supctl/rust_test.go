package main

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

const rustRange = ">=0.0.47-0 <0.1.0"

// rustImage pushes a multi-arch image of Rust/clap stand-ins (no marker).
func rustImage(t *testing.T, version string) string {
	t.Helper()
	fixture.SkipWithoutRust(t, "amd64")
	fixture.SkipWithoutRust(t, "arm64")
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: version, Rust: &fixture.RustOptions{}})
	return ref
}

// TestRustArm64Unknown: on an amd64 host without an emulator, the arm64
// binary of a Rust/clap image has an unknown version: pull with a range
// refuses it (exit 3) saying what was tried and what would fix it, without
// sending the user back to the command that failed; pull --json without a
// range carries the attempts.
func TestRustArm64Unknown(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("needs an amd64 host")
	}
	isolate(t)
	ref := rustImage(t, "0.0.47-dev.13+g57b71c68f")
	fixture.ForeignUnrunnable(t, "arm64")

	code, out, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64", "--compat", rustRange)
	if code != 0 || out == "" {
		t.Fatalf("amd64: exit %d, stdout %q %s; want 0 and the path", code, out, errOut)
	}
	for _, cmd := range [][]string{
		{"pull", ref, "--platform", "linux/arm64", "--compat", rustRange},
		{"pin", ref, "--compat", rustRange},
	} {
		code, out, errOut = supctl(t, cmd...)
		if code != 3 || out != "" {
			t.Fatalf("%s: exit %d, stdout %q; want 3", cmd[0], code, out)
		}
		t.Logf("%s: %s", cmd[0], errOut)
		for _, want := range []string{"unknown version", "tried run:", "qemu-user-static", "elf-string:", "version marker", "linux/arm64"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: the error %q lacks %q", cmd[0], errOut, want)
			}
		}
		if strings.Contains(errOut, "supctl pull") || strings.Contains(errOut, `"supctl pin"`) || strings.Contains(errOut, "supctl pin "+ref) {
			t.Errorf("%s: the error sends the user back to a command that fails the same way: %s", cmd[0], errOut)
		}
	}

	code, out, errOut = supctl(t, "--json", "pull", ref, "--platform", "linux/arm64")
	var res struct {
		Version         string `json:"version"`
		VersionSource   string `json:"version_source"`
		VersionAttempts []struct {
			Method, Reason, Fix string
			NotApplicable       bool `json:"not_applicable"`
		} `json:"version_attempts"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil {
		t.Fatalf("pull --json: exit %d, %v: %s %s", code, err, out, errOut)
	}
	// run first, elf-string last; the engine between them where there
	// is one (it cannot run linux/arm64 here either).
	n := len(res.VersionAttempts)
	if res.Version != "" || res.VersionSource != "unknown" || n < 3 || res.VersionAttempts[0].Method != "run" ||
		!res.VersionAttempts[0].NotApplicable || !strings.Contains(res.VersionAttempts[0].Fix, "qemu-user-static") ||
		res.VersionAttempts[n-1].Method != "elf-string" || !strings.Contains(res.VersionAttempts[n-1].Fix, "marker") {
		t.Errorf("pull --json = %+v", res)
	}
}

// TestRustBinfmtPinCompat: with qemu-user-static registered for arm64,
// pin --compat of the multi-arch Rust/clap image learns both versions
// with default flags, and inspect of the arm64 file takes its platform
// from the ELF header.
func TestRustBinfmtPinCompat(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("registers qemu-aarch64 on an amd64 host")
	}
	isolate(t)
	const version = "0.0.47-dev.14+g1234abc"
	ref := rustImage(t, version)
	arm, err := fixture.BuildRustSupervisor(context.Background(), t.TempDir(), fixture.RustOptions{Arch: "arm64", Version: version})
	if err != nil {
		t.Fatal(err)
	}
	fixture.RegisterQemu(t, "arm64")

	code, out, errOut := supctl(t, "pin", ref, "--compat", rustRange, "--format", "json")
	var pin struct {
		Platforms []struct {
			Platform, Version string
			VersionSource     string `json:"version_source"`
		} `json:"platforms"`
	}
	if err := json.Unmarshal([]byte(out), &pin); code != 0 || err != nil || len(pin.Platforms) != 2 {
		t.Fatalf("pin: exit %d, %v: %s %s", code, err, out, errOut)
	}
	for _, p := range pin.Platforms {
		if p.Version != version || p.VersionSource != "run" {
			t.Errorf("pin: %+v, want version %s by a confined run", p, version)
		}
	}

	code, out, errOut = supctl(t, "--json", "inspect", arm, "--compat", rustRange)
	var ins struct {
		Platform, Version string
		VersionSource     string `json:"version_source"`
	}
	if err := json.Unmarshal([]byte(out), &ins); code != 0 || err != nil {
		t.Fatalf("inspect: exit %d, %v: %s %s", code, err, out, errOut)
	}
	if ins.Platform != "linux/arm64" || ins.Version != version || ins.VersionSource != "run" {
		t.Errorf("inspect = %+v; want linux/arm64, %s by a run", ins, version)
	}
}

// TestInspectPlatformFromELF: inspect PATH without --platform checks the
// file against the platform its ELF header names, not the host's.
func TestInspectPlatformFromELF(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	for _, arch := range []string{"amd64", "arm64"} {
		fixture.ForeignUnrunnable(t, arch)
		path, err := fixture.BuildSupervisor(context.Background(), dir, arch, "0.0.47-dev.13+g57b71c68f")
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := supctl(t, "--json", "inspect", path)
		var ins struct{ Platform, Version string }
		if err := json.Unmarshal([]byte(out), &ins); code != 0 || err != nil {
			t.Fatalf("%s: exit %d, %v: %s %s", arch, code, err, out, errOut)
		}
		if ins.Platform != "linux/"+arch || ins.Version != "0.0.47-dev.13+g57b71c68f" {
			t.Errorf("%s: inspect = %+v", arch, ins)
		}
	}
}
