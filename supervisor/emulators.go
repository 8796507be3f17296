package supervisor

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Emulator is a binfmt_misc handler registered on this host, such as
// qemu-user's for arm64. An engine on this host (not one in a VM or on
// another machine) can run binaries of Arch through it.
type Emulator struct {
	Name        string `json:"name"`        // the handler's name, e.g. "qemu-aarch64"
	Arch        string `json:"arch"`        // its architecture in Go's terms, "" if not known
	Interpreter string `json:"interpreter"` // e.g. "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"
	Enabled     bool   `json:"enabled"`
	// Fixed is the F flag: the interpreter was opened at registration, so
	// it works inside containers that do not have it.
	Fixed bool `json:"fixed"`
}

// Emulators lists the binfmt_misc handlers in dir (normally [BinfmtDir]).
// No directory (another OS, binfmt_misc not mounted) is no handlers. It
// parses each entry as a confined [Run] does, but lists every handler,
// disabled ones and those that match by file name extension too.
func Emulators(dir string) ([]Emulator, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Emulator
	for _, de := range des {
		if de.Name() == "register" || de.Name() == "status" || de.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil || len(data) > 4096 {
			continue
		}
		h := parseBinfmtEntry(de.Name(), string(data))
		em := Emulator{Name: h.name, Arch: qemuArch(h.name), Interpreter: h.interpreter, Enabled: h.enabled, Fixed: h.fixedBinary()}
		if a := magicArch(h.magic); a != "" {
			em.Arch = a
		} else if em.Arch == "" {
			em.Arch = qemuArch(filepath.Base(em.Interpreter))
		}
		out = append(out, em)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// magicArch reads the ELF machine from a handler's magic (the bytes it
// matches, from the start of the file) and names it in Go's terms; "" if
// the magic is not an ELF header's.
func magicArch(b []byte) string {
	if len(b) < 20 || string(b[:4]) != "\x7fELF" {
		return ""
	}
	le := b[5] == 1
	m := elf.Machine(binary.LittleEndian.Uint16(b[18:20]))
	if !le {
		m = elf.Machine(binary.BigEndian.Uint16(b[18:20]))
	}
	switch m {
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_386:
		return "386"
	case elf.EM_RISCV:
		return "riscv64"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64"
	}
	return ""
}

// qemuArch maps a name such as "qemu-aarch64" or "qemu-aarch64-static" to
// a Go architecture.
func qemuArch(name string) string {
	i := strings.Index(name, "qemu-")
	if i < 0 {
		return ""
	}
	m, _, _ := strings.Cut(name[i+len("qemu-"):], "-")
	switch m {
	case "aarch64":
		return "arm64"
	case "x86_64":
		return "amd64"
	case "arm", "riscv64", "ppc64le", "s390x", "mips64el", "loong64":
		return m
	case "i386":
		return "386"
	}
	return ""
}
