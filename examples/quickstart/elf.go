package main

import (
	"encoding/binary"
	"fmt"
)

// supervisorELF returns a tiny static Linux executable for arch (amd64 or
// arm64) that writes "openshell-sandbox VERSION\n" to stdout and exits 0,
// whatever its arguments: what the real supervisor prints for --version.
// It is an ELF header, one PT_LOAD program header and a few instructions
// followed by the message, so the quickstart needs no compiler.
func supervisorELF(arch, version string) ([]byte, error) {
	msg := []byte("openshell-sandbox " + version + "\n")
	if len(msg) > 0xffff {
		return nil, fmt.Errorf("version too long")
	}
	var (
		machine uint16
		align   uint64
		code    []byte
	)
	le := binary.LittleEndian
	switch arch {
	case "amd64":
		machine, align = 62, 0x1000 // EM_X86_64
		code = []byte{
			0xb8, 1, 0, 0, 0, // mov eax, 1 (write)
			0xbf, 1, 0, 0, 0, // mov edi, 1 (stdout)
			0x48, 0x8d, 0x35, 16, 0, 0, 0, // lea rsi, [rip+16] (the message)
			0xba, 0, 0, 0, 0, // mov edx, len
			0x0f, 0x05, // syscall
			0xb8, 60, 0, 0, 0, // mov eax, 60 (exit)
			0x31, 0xff, // xor edi, edi
			0x0f, 0x05, // syscall
		}
		le.PutUint32(code[18:], uint32(len(msg)))
	case "arm64":
		machine, align = 183, 0x10000 // EM_AARCH64
		for _, insn := range []uint32{
			0xd2800020,                       // mov x0, #1 (stdout)
			0x100000e1,                       // adr x1, .+28 (the message)
			0xd2800002 | uint32(len(msg))<<5, // mov x2, #len
			0xd2800808,                       // mov x8, #64 (write)
			0xd4000001,                       // svc #0
			0xd2800000,                       // mov x0, #0
			0xd2800ba8,                       // mov x8, #93 (exit)
			0xd4000001,                       // svc #0
		} {
			code = le.AppendUint32(code, insn)
		}
	default:
		return nil, fmt.Errorf("no tiny supervisor for %s", arch)
	}
	const (
		base    = 0x400000
		ehsize  = 64
		phsize  = 56
		codeOff = ehsize + phsize
	)
	size := uint64(codeOff + len(code) + len(msg))
	b := make([]byte, 0, size)
	b = append(b, 0x7f, 'E', 'L', 'F', 2, 1, 1, 0) // 64-bit, little-endian, version 1, System V
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint16(b, 2) // ET_EXEC
	b = le.AppendUint16(b, machine)
	b = le.AppendUint32(b, 1)            // EV_CURRENT
	b = le.AppendUint64(b, base+codeOff) // entry
	b = le.AppendUint64(b, ehsize)       // program headers
	b = le.AppendUint64(b, 0)            // no section headers
	b = le.AppendUint32(b, 0)            // flags
	b = le.AppendUint16(b, ehsize)       // header size
	b = le.AppendUint16(b, phsize)       // program header size
	b = le.AppendUint16(b, 1)            // one program header
	b = le.AppendUint16(b, 64)           // section header size
	b = le.AppendUint16(b, 0)            // no sections
	b = le.AppendUint16(b, 0)            // no section names
	b = le.AppendUint32(b, 1)            // PT_LOAD
	b = le.AppendUint32(b, 5)            // PF_R|PF_X
	b = le.AppendUint64(b, 0)            // from the file's start
	b = le.AppendUint64(b, base)         // vaddr
	b = le.AppendUint64(b, base)         // paddr
	b = le.AppendUint64(b, size)         // file size
	b = le.AppendUint64(b, size)         // memory size
	b = le.AppendUint64(b, align)        // alignment
	b = append(b, code...)
	return append(b, msg...), nil
}
