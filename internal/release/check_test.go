package main

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"encoding/binary"
	"testing"
)

// elfHeader is a minimal 64-bit little-endian ELF header.
func elfHeader(class elf.Class, typ elf.Type, m elf.Machine) []byte {
	b := make([]byte, 64)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(class), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(typ))
	le.PutUint16(b[18:], uint16(m))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint16(b[52:], 64) // e_ehsize
	le.PutUint16(b[54:], 56) // e_phentsize
	le.PutUint16(b[58:], 64) // e_shentsize
	return b
}

// machoHeader is a minimal 64-bit Mach-O header with no load commands.
func machoHeader(magic uint32, typ macho.Type, cpu macho.Cpu) []byte {
	b := make([]byte, 32)
	le := binary.LittleEndian
	le.PutUint32(b[0:], magic)
	le.PutUint32(b[4:], uint32(cpu))
	le.PutUint32(b[12:], uint32(typ))
	return b
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name, goos, goarch string
		file               []byte
		want               string // "" for an error
	}{
		{"linux/amd64", "linux", "amd64", elfHeader(elf.ELFCLASS64, elf.ET_EXEC, elf.EM_X86_64), "ELF EM_X86_64"},
		{"linux/arm64", "linux", "arm64", elfHeader(elf.ELFCLASS64, elf.ET_EXEC, elf.EM_AARCH64), "ELF EM_AARCH64"},
		{"darwin/arm64", "darwin", "arm64", machoHeader(macho.Magic64, macho.TypeExec, macho.CpuArm64), "Mach-O CpuArm64"},
		{"darwin/amd64", "darwin", "amd64", machoHeader(macho.Magic64, macho.TypeExec, macho.CpuAmd64), "Mach-O CpuAmd64"},
		{"ELF of the other architecture", "linux", "arm64", elfHeader(elf.ELFCLASS64, elf.ET_EXEC, elf.EM_X86_64), ""},
		{"32-bit ELF", "linux", "amd64", elfHeader(elf.ELFCLASS32, elf.ET_EXEC, elf.EM_X86_64), ""},
		{"shared object", "linux", "amd64", elfHeader(elf.ELFCLASS64, elf.ET_DYN, elf.EM_X86_64), ""},
		{"Mach-O of the other architecture", "darwin", "arm64", machoHeader(macho.Magic64, macho.TypeExec, macho.CpuAmd64), ""},
		{"32-bit Mach-O", "darwin", "amd64", machoHeader(macho.Magic32, macho.TypeExec, macho.CpuAmd64), ""},
		{"Mach-O object", "darwin", "arm64", machoHeader(macho.Magic64, macho.TypeObj, macho.CpuArm64), ""},
		{"ELF for darwin", "darwin", "amd64", elfHeader(elf.ELFCLASS64, elf.ET_EXEC, elf.EM_X86_64), ""},
		{"Mach-O for linux", "linux", "arm64", machoHeader(macho.Magic64, macho.TypeExec, macho.CpuArm64), ""},
		{"a script", "linux", "amd64", []byte("#!/bin/sh\necho supctl\n"), ""},
		{"empty", "darwin", "arm64", nil, ""},
		{"unknown OS", "windows", "amd64", elfHeader(elf.ELFCLASS64, elf.ET_EXEC, elf.EM_X86_64), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := header(bytes.NewReader(tc.file), tc.goos, tc.goarch)
			if tc.want == "" && err == nil {
				t.Fatalf("accepted as %s/%s: %s", tc.goos, tc.goarch, got)
			}
			if tc.want != "" && (err != nil || got != tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestRunUsage: arguments are a usage error (exit 2).
func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"extra"}, &out, &errOut); code != 2 || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q", code, out.String())
	}
}
