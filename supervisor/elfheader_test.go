package supervisor

import (
	"debug/elf"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestCheckELFHeaderMatches(t *testing.T) {
	for arch, m := range machines {
		for _, typ := range []elf.Type{elf.ET_EXEC, elf.ET_DYN} {
			if err := CheckELFHeader(elfHeader(m.class, m.data, typ, m.machine), linuxPlatform(arch)); err != nil {
				t.Errorf("%s %v: %v", arch, typ, err)
			}
		}
	}
}

func TestCheckELFHeaderErrors(t *testing.T) {
	amd64 := linuxPlatform("amd64")
	good := elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64)
	with := func(i int, b byte) []byte {
		h := append([]byte(nil), good...)
		h[i] = b
		return h
	}
	tests := []struct {
		name string
		hdr  []byte
		p    string // architecture; OS is linux unless arch starts with "os:"
		want error
	}{
		{"empty", nil, "amd64", ErrNotELF},
		{"script", []byte("#!/bin/sh\necho openshell-sandbox 0.0.47\n"), "amd64", ErrNotELF},
		{"magic only", []byte(elf.ELFMAG), "amd64", ErrNotELF},
		{"truncated ident", good[:10], "amd64", ErrNotELF},
		{"truncated header", good[:40], "amd64", ErrNotELF},
		{"bad class", with(elf.EI_CLASS, 3), "amd64", ErrNotELF},
		{"bad data", with(elf.EI_DATA, 0), "amd64", ErrNotELF},
		{"bad version", with(elf.EI_VERSION, 2), "amd64", ErrNotELF},
		{"relocatable", elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_REL, elf.EM_X86_64), "amd64", ErrNotExecutable},
		{"core", elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_CORE, elf.EM_X86_64), "amd64", ErrNotExecutable},
		{"unknown arch", good, "mips", ErrUnsupportedPlatform},
		{"no arch", good, "", ErrUnsupportedPlatform},
		{"arm64 for amd64", elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_AARCH64), "amd64", ErrWrongMachine},
		{"386 for amd64", elfHeader(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_386), "amd64", ErrWrongMachine},
		{"x32 for amd64", elfHeader(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64), "amd64", ErrWrongMachine},
		{"ppc64 big-endian for ppc64le", elfHeader(elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_EXEC, elf.EM_PPC64), "ppc64le", ErrWrongMachine},
		{"amd64 for riscv64", good, "riscv64", ErrWrongMachine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckELFHeader(tt.hdr, linuxPlatform(tt.p))
			if !errors.Is(err, tt.want) {
				t.Errorf("CheckELFHeader = %v, want %v", err, tt.want)
			}
		})
	}
	for _, os := range []string{"", "windows", "darwin"} {
		p := amd64
		p.OS = os
		if err := CheckELFHeader(good, p); !errors.Is(err, ErrUnsupportedPlatform) {
			t.Errorf("OS %q: CheckELFHeader = %v, want ErrUnsupportedPlatform", os, err)
		}
	}
}

func TestMachineError(t *testing.T) {
	hdr := elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_AARCH64)
	err := CheckELFHeader(hdr, linuxPlatform("amd64"))
	me, ok := errors.AsType[*MachineError](err)
	if !ok {
		t.Fatalf("CheckELFHeader = %v, want *MachineError", err)
	}
	want := MachineError{
		Platform: "linux/amd64", Want: elf.EM_X86_64, Got: elf.EM_AARCH64,
		WantClass: elf.ELFCLASS64, GotClass: elf.ELFCLASS64,
		WantData: elf.ELFDATA2LSB, GotData: elf.ELFDATA2LSB,
	}
	if *me != want {
		t.Errorf("MachineError = %+v, want %+v", *me, want)
	}
	// The message says what the file is, what is needed and what to do.
	for _, s := range []string{"EM_AARCH64", "EM_X86_64", "linux/amd64", "set the platform to linux/arm64"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

// limitedReaderAt fails reads past the first n bytes.
type limitedReaderAt struct {
	r io.ReaderAt
	n int64
}

func (l limitedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > l.n {
		return 0, errors.New("read past the header")
	}
	return l.r.ReadAt(p, off)
}

func TestCheckELFRealBinaries(t *testing.T) {
	native := fakeSupervisor(t, runtimeArch(), testVersion)
	foreign := fakeSupervisor(t, foreignArch(), foreignVersion)

	f, err := os.Open(native)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := CheckELF(limitedReaderAt{f, 64}, linuxPlatform(runtimeArch())); err != nil {
		t.Errorf("CheckELF(native) = %v", err)
	}

	g, err := os.Open(foreign)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := CheckELF(g, linuxPlatform(foreignArch())); err != nil {
		t.Errorf("CheckELF(foreign, its own platform) = %v", err)
	}
	err = CheckELF(g, linuxPlatform(runtimeArch()))
	me, ok := errors.AsType[*MachineError](err)
	if !ok || me.Path != foreign || !strings.Contains(err.Error(), foreign) {
		t.Errorf("CheckELF(foreign, host platform) = %v, want a *MachineError naming %s", err, foreign)
	}
}

func TestCheckELFShortFile(t *testing.T) {
	f, err := os.Open(writeFile(t, []byte("\x7fELF")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = CheckELF(f, linuxPlatform("amd64"))
	if !errors.Is(err, ErrNotELF) || !strings.Contains(err.Error(), f.Name()) {
		t.Errorf("CheckELF(4-byte file) = %v, want ErrNotELF naming the file", err)
	}
}

func TestPlatformOfFile(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64", "arm", "riscv64"} {
		got, err := PlatformOfFile(fakeSupervisor(t, arch, foreignVersion))
		if err != nil || got.OS != "linux" || got.Architecture != arch || got.Variant != "" {
			t.Errorf("%s: PlatformOfFile = %+v, %v", arch, got, err)
		}
	}
	if _, err := PlatformOfFile(writeFile(t, []byte("#!/bin/sh\n"))); !errors.Is(err, ErrNotELF) {
		t.Errorf("script: %v, want ErrNotELF", err)
	}
	sparc := elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_SPARCV9)
	sparc[elf.EI_VERSION], sparc[20] = byte(elf.EV_CURRENT), byte(elf.EV_CURRENT)
	if _, err := PlatformOfFile(writeFile(t, sparc)); !errors.Is(err, ErrUnsupportedPlatform) {
		t.Errorf("sparc: %v, want ErrUnsupportedPlatform", err)
	}
}
