package supervisor

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The real supervisor's version, which fakesup's packed string holds.
const testVersion = "0.0.47-dev.13+g57b71c68f"

// The version the foreign-architecture build sets with -X; it differs from
// testVersion so tests can tell which prober answered.
const foreignVersion = "0.0.48"

var fixtureDir string // built binaries, shared by the tests

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "supervisor-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func linuxPlatform(arch string) v1.Platform { return v1.Platform{OS: "linux", Architecture: arch} }

// foreignArch is a Linux architecture this host cannot run.
func foreignArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

type build struct {
	once sync.Once
	path string
	err  error
}

var builds sync.Map // "goarch ldflags" -> *build

// fakeSupervisor returns the path of testdata/fakesup built as a static
// Linux binary for goarch with the given -X main.version, building it once
// per test binary. The file is named openshell-sandbox; copy it under
// another name to change what it does (see testdata/fakesup).
func fakeSupervisor(t testing.TB, goarch, version string) string {
	t.Helper()
	key := goarch + " " + version
	bv, _ := builds.LoadOrStore(key, new(build))
	b := bv.(*build)
	b.once.Do(func() { b.path, b.err = goBuild(goarch, version) })
	if b.err != nil {
		t.Fatalf("building fakesup for %s: %v", goarch, b.err)
	}
	return b.path
}

func goBuild(goarch, version string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	src, err := os.ReadFile(filepath.Join("testdata", "fakesup", "main.go"))
	if err != nil {
		return "", err
	}
	mod := filepath.Join(fixtureDir, "src-"+goarch+"-"+version)
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(mod, "main.go"), src, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/fakesup\n\ngo 1.22\n"), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(fixtureDir, "bin-"+goarch+"-"+version, "openshell-sandbox")
	cmd := exec.Command(gobin, "build", "-o", out, "-ldflags", "-X main.version="+version, ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch,
		"GOFLAGS=-buildvcs=false", "GOWORK=off", "GOTOOLCHAIN=local")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v\n%s", err, msg)
	}
	return out, nil
}

// needHost skips t unless this host can run Linux binaries.
func needHost(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("runs Linux binaries")
	}
}

// copyAs copies the file at src to a new directory as name and returns
// the copy's path.
func copyAs(t *testing.T, src, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// elfHeader returns a 64-byte ELF header (52 used for ELFCLASS32).
func elfHeader(class elf.Class, data elf.Data, typ elf.Type, m elf.Machine) []byte {
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS], h[elf.EI_DATA], h[elf.EI_VERSION] = byte(class), byte(data), byte(elf.EV_CURRENT)
	var bo binary.ByteOrder = binary.LittleEndian
	if data == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	bo.PutUint16(h[16:], uint16(typ))
	bo.PutUint16(h[18:], uint16(m))
	return h
}

// fakeSection is a section of a hand-made ELF file.
type fakeSection struct {
	name  string
	typ   elf.SectionType
	flags elf.SectionFlag
	data  string
}

func rodata(data string) fakeSection {
	return fakeSection{".rodata", elf.SHT_PROGBITS, elf.SHF_ALLOC, data}
}

// fakeELF returns a little-endian ELF64 x86-64 executable with the given
// sections (plus the null section and .shstrtab) and no program headers.
func fakeELF(sections ...fakeSection) []byte {
	var body bytes.Buffer
	shstrtab := []byte{0}
	hdrs := []elf.Section64{{}}
	for _, s := range sections {
		hdrs = append(hdrs, elf.Section64{
			Name: uint32(len(shstrtab)), Type: uint32(s.typ), Flags: uint64(s.flags),
			Off: uint64(64 + body.Len()), Size: uint64(len(s.data)), Addralign: 1,
		})
		shstrtab = append(append(shstrtab, s.name...), 0)
		body.WriteString(s.data)
	}
	hdrs = append(hdrs, elf.Section64{
		Name: uint32(len(shstrtab)), Type: uint32(elf.SHT_STRTAB),
		Off: uint64(64 + body.Len()), Size: uint64(len(shstrtab) + len(".shstrtab") + 1), Addralign: 1,
	})
	shstrtab = append(append(shstrtab, ".shstrtab"...), 0)
	body.Write(shstrtab)
	for body.Len()%8 != 0 {
		body.WriteByte(0)
	}
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Shoff: uint64(64 + body.Len()), Ehsize: 64, Shentsize: 64,
		Shnum: uint16(len(hdrs)), Shstrndx: uint16(len(hdrs) - 1),
	}
	copy(h.Ident[:], elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0)[:elf.EI_NIDENT])
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, h)
	out.Write(body.Bytes())
	binary.Write(&out, binary.LittleEndian, hdrs)
	return out.Bytes()
}

// fakeSegment is a loadable segment of a hand-made ELF file.
type fakeSegment struct {
	flags elf.ProgFlag
	data  string
}

// fakeELFSegments returns a little-endian ELF64 x86-64 executable with the
// given PT_LOAD segments and no section headers.
func fakeELFSegments(segs ...fakeSegment) []byte {
	off := 64 + 56*len(segs)
	var phdrs []elf.Prog64
	var body bytes.Buffer
	for _, s := range segs {
		phdrs = append(phdrs, elf.Prog64{
			Type: uint32(elf.PT_LOAD), Flags: uint32(s.flags), Off: uint64(off + body.Len()),
			Filesz: uint64(len(s.data)), Memsz: uint64(len(s.data)), Align: 1,
		})
		body.WriteString(s.data)
	}
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Phoff: 64, Ehsize: 64, Phentsize: 56, Phnum: uint16(len(segs)),
	}
	copy(h.Ident[:], elfHeader(elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0)[:elf.EI_NIDENT])
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, h)
	binary.Write(&out, binary.LittleEndian, phdrs)
	out.Write(body.Bytes())
	return out.Bytes()
}

// runtimeArch is the host's architecture.
func runtimeArch() string { return runtime.GOARCH }

func v1Platform(os, arch, variant string) v1.Platform {
	return v1.Platform{OS: os, Architecture: arch, Variant: variant}
}

// processesWith returns the pids whose command line contains s.
func processesWith(s string) []string {
	var pids []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
