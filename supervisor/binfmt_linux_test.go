package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
)

func TestBinfmtFor(t *testing.T) {
	arm := fakeSupervisor(t, "arm64", foreignVersion)
	amd := fakeSupervisor(t, "amd64", foreignVersion)
	tests := []struct {
		name    string
		entries map[string]string // "" dir means not mounted
		path    string
		why     string // "" means runnable
	}{
		{"not mounted", nil, arm, "not mounted"},
		{"disabled", map[string]string{"status": "disabled\n"}, arm, "disabled"},
		{"none", map[string]string{"status": "enabled\n"}, arm, "no binfmt_misc handler"},
		{"qemu with F", map[string]string{"status": "enabled\n", "qemu-aarch64": strings.Replace(qemuAarch64Entry, "%s", "OCF", 1)}, arm, ""},
		{"qemu without F", map[string]string{"status": "enabled\n", "qemu-aarch64": strings.Replace(qemuAarch64Entry, "%s", "OC", 1)}, arm, "lacks the F flag"},
		{"qemu disabled", map[string]string{"status": "enabled\n", "qemu-aarch64": strings.Replace(strings.Replace(qemuAarch64Entry, "%s", "F", 1), "enabled", "disabled", 1)}, arm, "no binfmt_misc handler"},
		{"another machine", map[string]string{"status": "enabled\n", "qemu-aarch64": strings.Replace(qemuAarch64Entry, "%s", "F", 1)}, amd, "no binfmt_misc handler"},
		{"by extension", map[string]string{"status": "enabled\n", "x": "enabled\ninterpreter /bin/x\nflags: F\nextension .x\n"}, arm, "no binfmt_misc handler"},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "binfmt_misc")
		if tt.entries != nil {
			os.Mkdir(dir, 0o755)
			for n, c := range tt.entries {
				os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644)
			}
		}
		_, why, err := binfmtFor(dir, tt.path)
		if err != nil || (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) {
			t.Errorf("%s: binfmtFor = %q, %v; want %q", tt.name, why, err, tt.why)
		}
	}
}

// TestRustArm64NoRunner: with no way to run it, an arm64 Rust/clap
// supervisor is unknown, never wrong, and the attempts say what would fix
// it.
func TestRustArm64NoRunner(t *testing.T) {
	t.Parallel()
	if runtime.GOARCH == "arm64" {
		t.Skip("arm64 runs here")
	}
	fixture.SkipWithoutRust(t, "arm64")
	fixture.ForeignUnrunnable(t, "arm64")
	path, err := fixture.BuildRustSupervisor(context.Background(), t.TempDir(), fixture.RustOptions{Arch: "arm64", Version: "0.0.47-dev.13+g57b71c68f"})
	if err != nil {
		t.Fatal(err)
	}
	v, tried, err := DetectTried(context.Background(), Binary{Path: path, Platform: linuxPlatform("arm64")})
	if err != nil || v.Known() {
		t.Fatalf("DetectTried = %+v, %v; want unknown", v, err)
	}
	methods := map[Method]Attempt{}
	for _, a := range tried {
		methods[a.Method] = a
	}
	if a := methods[MethodRun]; !a.NotApplicable || !strings.Contains(a.Reason, "linux/arm64") || !strings.Contains(a.Fix, "qemu-user-static") {
		t.Errorf("run attempt = %+v; want not applicable, naming linux/arm64, fixed by qemu-user-static", a)
	}
	if a := methods[MethodELFString]; a.NotApplicable || !strings.Contains(a.Reason, "marker") || !strings.Contains(a.Fix, "marker") {
		t.Errorf("elf-string attempt = %+v; want unsure, fixed by the version marker", a)
	}
	if _, ok := methods[MethodBuildInfo]; !ok || len(tried) != 3 {
		t.Errorf("tried %+v; want run, go-buildinfo and elf-string", tried)
	}
	if msg := Explain(tried); !strings.Contains(msg, "run: ") || !strings.Contains(msg, "to fix: install qemu-user-static") {
		t.Errorf("Explain = %q", msg)
	}
}

// TestRustBinfmt registers qemu-user-static for arm64 and learns the arm64
// Rust/clap supervisor's version with the default probers, by a confined
// run through the emulator; the native one runs confined without it.
func TestRustBinfmt(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("registers qemu-aarch64 on an amd64 host")
	}
	fixture.SkipWithoutRust(t, "arm64")
	const version = "0.0.47-dev.13+g57b71c68f"
	dir := t.TempDir()
	bins := map[string]string{}
	for _, arch := range []string{"amd64", "arm64"} {
		for _, unstripped := range []bool{false, true} {
			p, err := fixture.BuildRustSupervisor(context.Background(), dir, fixture.RustOptions{Arch: arch, Version: version, Unstripped: unstripped})
			if err != nil {
				t.Fatal(err)
			}
			bins[p] = arch
		}
	}
	fixture.RegisterQemu(t, "arm64")
	for p, arch := range bins {
		v, tried, err := DetectTried(context.Background(), Binary{Path: p, Platform: linuxPlatform(arch)})
		if want := (Version{version, MethodRun}); err != nil || v != want {
			t.Errorf("%s: DetectTried = %+v, %v (tried %v); want %+v", filepath.Base(p), v, err, tried, want)
		}
	}
	// The hostile binary, built for arm64, is as confined under qemu.
	e := newHostileEnvArch(t, "arm64")
	before := treeHash(t, e.cache)
	v, err := Run(0).Probe(context.Background(), Binary{Path: e.bin, Platform: linuxPlatform("arm64")})
	// qemu answers keyctl and ptrace itself (ENOSYS, 38); unshare reaches
	// the kernel, and the filter.
	if want := "0.0.1-w0.n0.f1.u65534.g65534.e0.p0.b0.s1.o0.k00.G0.c0.K38.U1.T38"; err != nil || v.Version != want {
		t.Errorf("hostile arm64 under qemu: %+v, %v; want %s", v, err, want)
	}
	if pids := processesWith(e.marker); len(pids) > 0 {
		t.Errorf("processes %v survived", pids)
	}
	if treeHash(t, e.cache) != before || e.dials.Load() != 0 {
		t.Error("the cache changed or the listener was reached")
	}
}
