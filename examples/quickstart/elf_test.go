package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSupervisorELF checks both tiny executables with debug/elf and runs
// each one this machine can run: natively, or under qemu-user when it is
// installed.
func TestSupervisorELF(t *testing.T) {
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		t.Run(arch, func(t *testing.T) {
			b, err := supervisorELF(arch, current)
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if f.Machine != machine || f.Type != elf.ET_EXEC || f.Class != elf.ELFCLASS64 || len(f.Progs) != 1 {
				t.Fatalf("header: machine %v type %v class %v, %d program headers", f.Machine, f.Type, f.Class, len(f.Progs))
			}
			p := f.Progs[0]
			if p.Type != elf.PT_LOAD || p.Filesz != uint64(len(b)) || f.Entry < p.Vaddr || f.Entry >= p.Vaddr+p.Filesz {
				t.Fatalf("segment %+v, entry %#x", p.ProgHeader, f.Entry)
			}
			path := filepath.Join(t.TempDir(), "openshell-sandbox")
			if err := os.WriteFile(path, b, 0o755); err != nil {
				t.Fatal(err)
			}
			var cmd *exec.Cmd
			switch {
			case runtime.GOOS == "linux" && runtime.GOARCH == arch:
				cmd = exec.Command(path, "--version")
			case arch == "arm64":
				qemu, err := exec.LookPath("qemu-aarch64-static")
				if err != nil {
					if qemu, err = exec.LookPath("qemu-aarch64"); err != nil {
						t.Skip("cannot run arm64 here: no qemu-aarch64")
					}
				}
				cmd = exec.Command(qemu, path, "--version")
			default:
				t.Skipf("cannot run %s here", arch)
			}
			out, err := cmd.Output()
			if err != nil || string(out) != "openshell-sandbox "+current+"\n" {
				t.Fatalf("%s --version: %q, %v", arch, out, err)
			}
		})
	}
	if _, err := supervisorELF("mips", current); err == nil {
		t.Error("mips accepted")
	}
}
