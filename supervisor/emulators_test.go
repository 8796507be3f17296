package supervisor

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEmulatorsAndConfinedRunReadEntriesAlike: Emulators lists every
// handler, and a confined run uses exactly the enabled, well-formed magic
// ones among them, because both read entries with one parser.
func TestEmulatorsAndConfinedRunReadEntriesAlike(t *testing.T) {
	const armMagic = "offset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n"
	tests := []struct {
		name, entry string
		want        Emulator
		usable      bool
	}{
		{"qemu-aarch64", "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n" + armMagic,
			Emulator{Name: "qemu-aarch64", Arch: "arm64", Interpreter: "/usr/bin/qemu-aarch64-static", Enabled: true, Fixed: true}, true},
		{"off", "disabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n" + armMagic,
			Emulator{Name: "off", Arch: "arm64", Interpreter: "/usr/bin/qemu-aarch64-static", Fixed: true}, false},
		{"by-extension", "enabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n",
			Emulator{Name: "by-extension", Interpreter: "/usr/bin/wine", Enabled: true}, false},
		{"qemu-riscv64", "enabled\ninterpreter /usr/bin/qemu-riscv64-static\nflags: F\noffset 0\nmagic zz\n",
			Emulator{Name: "qemu-riscv64", Arch: "riscv64", Interpreter: "/usr/bin/qemu-riscv64-static", Enabled: true, Fixed: true}, false},
	}
	dir := t.TempDir()
	for _, f := range []string{"status", "register"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("enabled\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		if err := os.WriteFile(filepath.Join(dir, tt.name), []byte(tt.entry), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ems, err := Emulators(dir)
	if err != nil || len(ems) != len(tests) {
		t.Fatalf("Emulators: %+v, %v", ems, err)
	}
	listed := map[string]Emulator{}
	for _, em := range ems {
		listed[em.Name] = em
	}
	hs, why := binfmtHandlers(dir)
	used := map[string]bool{}
	for _, h := range hs {
		used[h.name] = true
	}
	for _, tt := range tests {
		if listed[tt.name] != tt.want {
			t.Errorf("%s: listed as %+v, want %+v", tt.name, listed[tt.name], tt.want)
		}
		if used[tt.name] != tt.usable {
			t.Errorf("%s: used by a confined run %v, want %v (%s)", tt.name, used[tt.name], tt.usable, why)
		}
	}
	if ems, err := Emulators(filepath.Join(dir, "absent")); ems != nil || err != nil {
		t.Errorf("no directory: %+v, %v; want no handlers", ems, err)
	}
}
