package engine

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// BinfmtDir is where Linux lists its binfmt_misc handlers.
const BinfmtDir = "/proc/sys/fs/binfmt_misc"

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
// No directory (another OS, binfmt_misc not mounted) is no handlers.
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
		f, err := os.Open(filepath.Join(dir, de.Name()))
		if err != nil {
			continue
		}
		em := Emulator{Name: de.Name(), Arch: qemuArch(de.Name())}
		var magic string
		s := bufio.NewScanner(f)
		for s.Scan() {
			line := s.Text()
			switch {
			case line == "enabled":
				em.Enabled = true
			case strings.HasPrefix(line, "interpreter "):
				em.Interpreter = strings.TrimPrefix(line, "interpreter ")
			case strings.HasPrefix(line, "flags: "):
				em.Fixed = strings.Contains(strings.TrimPrefix(line, "flags: "), "F")
			case strings.HasPrefix(line, "magic "):
				magic = strings.TrimPrefix(line, "magic ")
			}
		}
		f.Close()
		if a := magicArch(magic); a != "" {
			em.Arch = a
		} else if em.Arch == "" {
			em.Arch = qemuArch(filepath.Base(em.Interpreter))
		}
		out = append(out, em)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// magicArch reads the ELF machine from a handler's magic (hex of the
// bytes it matches, from the start of the file) and names it in Go's
// terms; "" if the magic is not an ELF header's.
func magicArch(hexMagic string) string {
	b, err := hex.DecodeString(hexMagic)
	if err != nil || len(b) < 20 || string(b[:4]) != "\x7fELF" {
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

// Diagnosis is what [Diagnose] found out about the engine.
type Diagnosis struct {
	Kind Kind `json:"kind"`
	// Endpoint is the endpoint discovery chose (nil if it chose none).
	Endpoint *Endpoint `json:"endpoint,omitempty"`
	// Info is what the engine said (nil if it did not answer).
	Info *Info `json:"info,omitempty"`
	// DockerSocket is [DockerSocket] as found on this host: whether it
	// exists and where it leads, whichever endpoint was chosen.
	DockerSocket SocketState `json:"docker_socket"`
	// Err is why there is no usable engine (nil if there is one).
	Err error `json:"-"`
}

// SocketState is a socket path as found on this host.
type SocketState struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Target string `json:"target,omitempty"` // where the symlink leads, "" if not a symlink
	// Dangling: the path is a symlink to nothing.
	Dangling bool `json:"dangling,omitempty"`
}

// Diagnose discovers and opens the engine as [Open] does, keeping what it
// learned at each step instead of stopping at the first failure. It runs
// nothing in the engine.
func Diagnose(ctx context.Context, opts ...Option) Diagnosis {
	cfg := config{kind: Auto, timeout: DefaultOpenTimeout}
	d := Diagnosis{DockerSocket: socketState(DockerSocket)}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			d.Err = err
			return d
		}
	}
	d.Kind = cfg.kind
	env := FromOS()
	if cfg.env != nil {
		env = *cfg.env
	}
	ep, err := Discover(cfg.kind, env)
	if err != nil {
		d.Err = err
		return d
	}
	ep.APIVersion = env.APIVersion
	d.Endpoint = &ep
	e, err := connect(ctx, config{kind: Auto, timeout: cfg.timeout}, ep)
	if err != nil {
		d.Err = err
		return d
	}
	defer e.Close()
	info := e.Info()
	d.Info = &info
	if !cfg.kind.accepts(info.Product) {
		d.Err = &ProductError{Want: cfg.kind, Got: info, Endpoint: ep}
	}
	return d
}

func socketState(p string) SocketState {
	s := SocketState{Path: p}
	if _, err := os.Lstat(p); err != nil {
		return s
	}
	s.Exists = true
	if dest, err := os.Readlink(p); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			s.Target = real
		} else {
			s.Target, s.Dangling = dest, true
		}
	} else if real, err := filepath.EvalSymlinks(p); err == nil && real != p {
		s.Target = real
	}
	return s
}
