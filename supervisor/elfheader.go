package supervisor

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// elfHeaderSize is the size of an ELF64 header, the larger of the two
// classes; an ELF32 header is 52 bytes.
const elfHeaderSize = 64

// machine is what an architecture's Linux executables carry in their ELF
// header.
type machine struct {
	machine elf.Machine
	class   elf.Class
	data    elf.Data
}

// machines maps a platform architecture (GOARCH spelling, as OCI uses) to
// its ELF machine.
var machines = map[string]machine{
	"amd64":   {elf.EM_X86_64, elf.ELFCLASS64, elf.ELFDATA2LSB},
	"arm64":   {elf.EM_AARCH64, elf.ELFCLASS64, elf.ELFDATA2LSB},
	"arm":     {elf.EM_ARM, elf.ELFCLASS32, elf.ELFDATA2LSB},
	"386":     {elf.EM_386, elf.ELFCLASS32, elf.ELFDATA2LSB},
	"ppc64le": {elf.EM_PPC64, elf.ELFCLASS64, elf.ELFDATA2LSB},
	"s390x":   {elf.EM_S390, elf.ELFCLASS64, elf.ELFDATA2MSB},
	"riscv64": {elf.EM_RISCV, elf.ELFCLASS64, elf.ELFDATA2LSB},
}

// archOf returns the architecture whose executables look like m, or "".
func archOf(m elf.Machine, c elf.Class, d elf.Data) string {
	for arch, want := range machines {
		if want == (machine{m, c, d}) {
			return arch
		}
	}
	return ""
}

// CheckELF checks that r holds a Linux ELF executable for platform p: see
// [CheckELFHeader]. It reads only the first 64 bytes of r. If r has a
// Name method, as [*os.File] does, errors name the file.
func CheckELF(r io.ReaderAt, p v1.Platform) error {
	path := ""
	if f, ok := r.(interface{ Name() string }); ok {
		path = f.Name()
	}
	var hdr [elfHeaderSize]byte
	n, err := r.ReadAt(hdr[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading ELF header of %s: %w", orBinary(path), err)
	}
	return checkHeader(path, hdr[:n], p)
}

// CheckELFHeader checks that hdr, the first bytes of a file (64 are always
// enough), is the header of a Linux ELF executable for platform p:
//
//   - it starts with the ELF magic and a valid identification, else the
//     error wraps [ErrNotELF] (as it does when hdr is shorter than the
//     header);
//   - its type is ET_EXEC or ET_DYN (static-pie), else [ErrNotExecutable];
//   - p.OS is "linux" and p.Architecture is one of amd64, arm64, arm, 386,
//     ppc64le, s390x and riscv64, else [ErrUnsupportedPlatform];
//   - its machine, class (32/64-bit) and byte order are those of
//     p.Architecture, else a [*MachineError].
//
// The platform's variant is not checked: ELF headers do not record it.
func CheckELFHeader(hdr []byte, p v1.Platform) error {
	return checkHeader("", hdr, p)
}

func checkHeader(path string, hdr []byte, p v1.Platform) error {
	if len(hdr) < 4 || string(hdr[:4]) != elf.ELFMAG {
		return &fileError{path: path, kind: ErrNotELF, detail: "no ELF magic at the start"}
	}
	if len(hdr) < elf.EI_NIDENT {
		return &fileError{path: path, kind: ErrNotELF, detail: "truncated ELF header"}
	}
	class, data := elf.Class(hdr[elf.EI_CLASS]), elf.Data(hdr[elf.EI_DATA])
	size := 0
	switch class {
	case elf.ELFCLASS32:
		size = 52
	case elf.ELFCLASS64:
		size = 64
	default:
		return &fileError{path: path, kind: ErrNotELF, detail: fmt.Sprintf("bad ELF class %d", hdr[elf.EI_CLASS])}
	}
	var bo binary.ByteOrder
	switch data {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return &fileError{path: path, kind: ErrNotELF, detail: fmt.Sprintf("bad ELF byte order %d", hdr[elf.EI_DATA])}
	}
	if v := elf.Version(hdr[elf.EI_VERSION]); v != elf.EV_CURRENT {
		return &fileError{path: path, kind: ErrNotELF, detail: fmt.Sprintf("bad ELF version %d", v)}
	}
	if len(hdr) < size {
		return &fileError{path: path, kind: ErrNotELF, detail: "truncated ELF header"}
	}
	if t := elf.Type(bo.Uint16(hdr[16:])); t != elf.ET_EXEC && t != elf.ET_DYN {
		return &fileError{path: path, kind: ErrNotExecutable, detail: fmt.Sprintf("ELF type is %v", t)}
	}
	want, err := platformMachine(p)
	if err != nil {
		return err
	}
	got := machine{elf.Machine(bo.Uint16(hdr[18:])), class, data}
	if got != want {
		return &MachineError{
			Path: path, Platform: p.String(),
			Want: want.machine, Got: got.machine,
			WantClass: want.class, GotClass: got.class,
			WantData: want.data, GotData: got.data,
		}
	}
	return nil
}

func platformMachine(p v1.Platform) (machine, error) {
	if p.OS != "linux" {
		return machine{}, fmt.Errorf("%w: OS %q (want linux)", ErrUnsupportedPlatform, p.OS)
	}
	m, ok := machines[p.Architecture]
	if !ok {
		return machine{}, fmt.Errorf("%w: architecture %q (want amd64, arm64, arm, 386, ppc64le, s390x or riscv64)", ErrUnsupportedPlatform, p.Architecture)
	}
	return m, nil
}

func orBinary(path string) string {
	if path == "" {
		return "the binary"
	}
	return path
}
