package main

import (
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"errors"
	"fmt"
	"io"
	"os"
)

// modulePath is the main module a release binary must be built from.
const modulePath = "github.com/openshell-contrib/supctl"

// stamp is what a release binary says about itself.
type stamp struct {
	Header   string // e.g. "ELF x86-64", "Mach-O arm64"
	Version  string // the main module's version
	Commit   string
	Modified bool
}

// The machines of the release targets, in each format's terms.
var (
	elfMachines   = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	machoMachines = map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}
)

// check reads the binary at p: its header must be an executable of goos
// and goarch (ELF for linux, 64-bit Mach-O for darwin), and its build
// information must name the module, its commit, and the release's build
// settings (CGO_ENABLED=0, -trimpath, GOOS and GOARCH).
func check(p, goos, goarch string) (stamp, error) {
	f, err := os.Open(p)
	if err != nil {
		return stamp{}, err
	}
	defer f.Close()
	var st stamp
	if st.Header, err = header(f, goos, goarch); err != nil {
		return st, fmt.Errorf("%s: %w", p, err)
	}
	bi, err := buildinfo.Read(f)
	if err != nil {
		return st, fmt.Errorf("%s: no Go build information: %w", p, err)
	}
	if bi.Path != modulePath+"/cmd/supctl" || bi.Main.Path != modulePath {
		return st, fmt.Errorf("%s: built from %s (module %s), not %s/cmd/supctl", p, bi.Path, bi.Main.Path, modulePath)
	}
	st.Version = bi.Main.Version
	want := map[string]string{"CGO_ENABLED": "0", "-trimpath": "true", "GOOS": goos, "GOARCH": goarch}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			st.Commit = s.Value
		case "vcs.modified":
			st.Modified = s.Value == "true"
		}
		if w, ok := want[s.Key]; ok && w == s.Value {
			delete(want, s.Key)
		}
	}
	if len(want) != 0 {
		return st, fmt.Errorf("%s: build settings lack %v", p, want)
	}
	if st.Commit == "" || st.Version == "" || st.Version == "(devel)" {
		return st, fmt.Errorf("%s: no version control stamp (version %q, commit %q): build from a git clone of the module, with git installed (a git worktree is not stamped)", p, st.Version, st.Commit)
	}
	return st, nil
}

// header checks that r is an executable for goos/goarch and names it.
func header(r io.ReaderAt, goos, goarch string) (string, error) {
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			return "", fmt.Errorf("not an ELF file: %w", err)
		}
		if f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC || f.Machine != elfMachines[goarch] {
			return "", fmt.Errorf("ELF %v %v %v, want a 64-bit executable for %s", f.Class, f.Type, f.Machine, goarch)
		}
		return "ELF " + f.Machine.String(), nil
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			return "", fmt.Errorf("not a Mach-O file: %w", err)
		}
		if f.Magic != macho.Magic64 || f.Type != macho.TypeExec || f.Cpu != machoMachines[goarch] {
			return "", fmt.Errorf("Mach-O %#x %v %v, want a 64-bit executable for %s", f.Magic, f.Type, f.Cpu, goarch)
		}
		return "Mach-O " + f.Cpu.String(), nil
	}
	return "", errors.New("unknown OS " + goos)
}
