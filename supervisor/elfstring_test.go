package supervisor

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"strings"
	"testing"
)

// The brief's example of rustc's packing, verbatim: the next string starts
// with letters, which the version rule cannot tell from build metadata.
const packedBrief = "\x00\x01panicked at tokio-1.38.0/src/runtime.rsopenshell-sandbox-0.0.36/src/lib.rsclap 4.5.4" +
	"openshell-sandbox 0.0.47-dev.13+g57b71c68fcalled Option::unwrap()"

// decoys holds versions near the name that are not "<name> <version>".
const decoys = "\x00\x01panicked at tokio-1.38.0/src/runtime.rsopenshell-sandbox-0.0.36/src/lib.rsclap 4.5.4" +
	"openshell-sandbox/0.0.35usage: openshell-sandbox [OPTIONS]openshell-sandbox --version" +
	"openshell-sandbox is starting 0.0.34Openshell-sandbox 0.0.33openshell-sandbox\t0.0.32"

func TestELFStringRule(t *testing.T) {
	long := strings.Repeat("a", maxVersionLen)
	tests := []struct {
		name     string
		sections []fakeSection
		want     string // "" means unknown
	}{
		// Rust packs literals without separators: the bare version glued
		// to its neighbours is never taken, whatever comes next.
		{"packed, glued both sides", []fakeSection{rodata(decoys + "openshell-sandbox 0.0.47-dev.13+g57b71c68f/rustc/129f3b996/library/core")}, ""},
		{"packed, next string starts with letters", []fakeSection{rodata(packedBrief)}, ""},
		{"the brief's wrong version", []fakeSection{rodata("clap 4.0.32openshell-sandbox 0.1.99-dev.11+g9a8b7c6MapIter.Key")}, ""},
		{"the brief's wrong version, NUL before", []fakeSection{rodata("\x00openshell-sandbox 0.1.99-dev.11+g9a8b7c6MapIter.Key")}, ""},
		{"NUL before, glued after", []fakeSection{rodata("\x00openshell-sandbox 0.0.47called Option::unwrap()")}, ""},
		{"glued before, NUL after", []fakeSection{rodata("clap 4.5.4openshell-sandbox 0.0.47\x00")}, ""},
		{"the marker, between packed strings", []fakeSection{rodata(decoys + "\x00openshell-sandbox 0.0.47-dev.13+g57b71c68f\x00called Option::unwrap()")}, testVersion},
		{"decoys only", []fakeSection{rodata(decoys)}, ""},
		{"nothing", []fakeSection{rodata("hello, world")}, ""},
		{"empty .rodata", []fakeSection{rodata("")}, ""},
		{"two versions", []fakeSection{rodata("\x00openshell-sandbox 0.0.47\x00openshell-sandbox 0.0.36\x00")}, ""},
		{"same version twice", []fakeSection{rodata("\nopenshell-sandbox 0.0.47\nxx\x00openshell-sandbox 0.0.47\x00")}, "0.0.47"},
		{"same precedence, different build", []fakeSection{rodata("\x00openshell-sandbox 0.0.47+a\x00openshell-sandbox 0.0.47+b\x00")}, ""},
		{"at the very end, unterminated", []fakeSection{rodata("xx\x00openshell-sandbox 0.0.47")}, ""},
		{"at the very start", []fakeSection{rodata("openshell-sandbox 0.0.47\x00")}, "0.0.47"},
		{"newlines", []fakeSection{rodata("usage\nopenshell-sandbox v0.0.47\n")}, "v0.0.47"},
		{"trailing dot is no version", []fakeSection{rodata("\x00openshell-sandbox 0.0.47.\x00")}, ""},
		{"trailing colon is no version", []fakeSection{rodata("\x00openshell-sandbox 0.0.47:\x00")}, ""},
		{"a space in it", []fakeSection{rodata("\x00openshell-sandbox 0.0.47 (abc)\x00")}, ""},
		{"hyphen ending a valid prerelease", []fakeSection{rodata("\x00openshell-sandbox 1.0.0-rc-\x00")}, "1.0.0-rc-"},
		{"four parts", []fakeSection{rodata("\x00openshell-sandbox 1.2.3.4\x00")}, ""},
		{"shorthand", []fakeSection{rodata("\x00openshell-sandbox 1.2\x00")}, ""},
		{"leading zero", []fakeSection{rodata("\x00openshell-sandbox 0.0.047\x00")}, ""},
		{"longest allowed", []fakeSection{rodata("\x00openshell-sandbox 1.0.0+" + long[:maxVersionLen-6] + "\x00")}, "1.0.0+" + long[:maxVersionLen-6]},
		{"too long", []fakeSection{rodata("\x00openshell-sandbox 1.0.0+" + long + "\x00")}, ""},
		{"marker twice in a row", []fakeSection{rodata("\x00openshell-sandbox \nopenshell-sandbox 2.0.0\x00")}, "2.0.0"},
		{".rodata first", []fakeSection{
			rodata("openshell-sandbox 1.0.0\x00"),
			{".data.rel.ro", elf.SHT_PROGBITS, elf.SHF_ALLOC | elf.SHF_WRITE, "openshell-sandbox 2.0.0\x00"},
		}, "1.0.0"},
		{"other sections when .rodata has none", []fakeSection{
			rodata(decoys),
			{".rodata.str", elf.SHT_PROGBITS, elf.SHF_ALLOC, "openshell-sandbox 2.0.0\x00"},
		}, "2.0.0"},
		{"other sections disagree", []fakeSection{
			{".rodata.a", elf.SHT_PROGBITS, elf.SHF_ALLOC, "openshell-sandbox 2.0.0\x00"},
			{".rodata.b", elf.SHT_PROGBITS, elf.SHF_ALLOC, "openshell-sandbox 3.0.0\x00"},
		}, ""},
		{"split across sections is not joined", []fakeSection{
			{".rodata.a", elf.SHT_PROGBITS, elf.SHF_ALLOC, "xx\x00openshell-sand"},
			{".rodata.b", elf.SHT_PROGBITS, elf.SHF_ALLOC, "box 2.0.0\x00"},
		}, ""},
		{"a version running into the end of its section is not terminated", []fakeSection{
			{".rodata.a", elf.SHT_PROGBITS, elf.SHF_ALLOC, "xx\x00openshell-sandbox 2.0.0"},
			{".rodata.b", elf.SHT_PROGBITS, elf.SHF_ALLOC, "-rc.1\x00"},
		}, ""},
		{"a section's start precedes", []fakeSection{
			{".rodata.a", elf.SHT_PROGBITS, elf.SHF_ALLOC, "xx"},
			{".rodata.b", elf.SHT_PROGBITS, elf.SHF_ALLOC, "openshell-sandbox 2.0.0\x00"},
		}, "2.0.0"},
		{"code is not searched", []fakeSection{{".text", elf.SHT_PROGBITS, elf.SHF_ALLOC | elf.SHF_EXECINSTR, "openshell-sandbox 1.0.0\x00"}}, ""},
		{"non-allocated data is not searched", []fakeSection{{".comment", elf.SHT_PROGBITS, 0, "openshell-sandbox 1.0.0\x00"}}, ""},
		{"notes are not searched", []fakeSection{{".note.x", elf.SHT_NOTE, elf.SHF_ALLOC, "openshell-sandbox 1.0.0\x00"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkELFString(t, fakeELF(tt.sections...), DefaultName, tt.want)
		})
	}
}

// checkELFString checks the ELF string rule on file with several chunk
// sizes, so that every marker and version also lies across a chunk
// boundary somewhere.
func checkELFString(t *testing.T, file []byte, name, want string) {
	t.Helper()
	for _, chunk := range []int{chunkSize, 1, 2, 3, 7, len(name), len(name) + 1, len(name) + 5, 64} {
		got, err := elfStringVersion(context.Background(), bytes.NewReader(file), int64(len(file)), "test", name, chunk)
		if want == "" {
			if !errors.Is(err, ErrUnknownVersion) {
				t.Fatalf("chunk %d: got %q, %v; want ErrUnknownVersion", chunk, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Fatalf("chunk %d: got %q, %v; want %q", chunk, got, err, want)
		}
	}
}

func TestELFStringSegments(t *testing.T) {
	checkELFString(t, fakeELFSegments(
		fakeSegment{elf.PF_R | elf.PF_X, "openshell-sandbox 9.9.9\x00"},
		fakeSegment{elf.PF_R, decoys + "\x00openshell-sandbox 0.0.47\x00"},
	), DefaultName, "0.0.47")
	checkELFString(t, fakeELFSegments(fakeSegment{elf.PF_R | elf.PF_X, "openshell-sandbox 9.9.9\x00"}), DefaultName, "")
}

func TestELFStringName(t *testing.T) {
	file := fakeELF(rodata("openshell-sandbox 1.0.0\x00my-sup 2.0.0\x00"))
	checkELFString(t, file, "my-sup", "2.0.0")
	path := writeFile(t, file)
	got, err := ELFString().Probe(context.Background(), Binary{Path: path, Name: "my-sup"})
	if want := (Version{"2.0.0", MethodELFString}); err != nil || got != want {
		t.Errorf("Probe = %+v, %v; want %+v", got, err, want)
	}
}

func TestELFStringMessages(t *testing.T) {
	path := writeFile(t, fakeELF(rodata("openshell-sandbox 0.0.47\x00openshell-sandbox 0.0.36\x00")))
	_, err := ELFString().Probe(context.Background(), Binary{Path: path})
	for _, s := range []string{path, "0.0.47", "0.0.36"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v lacks %q", err, s)
		}
	}
}

func TestELFStringNotELF(t *testing.T) {
	path := writeFile(t, []byte("openshell-sandbox 0.0.47\n"))
	_, err := ELFString().Probe(context.Background(), Binary{Path: path})
	if !errors.Is(err, ErrNotApplicable) || !errors.Is(err, ErrNotELF) {
		t.Errorf("Probe error = %v, want ErrNotApplicable and ErrNotELF", err)
	}
}

func TestELFStringCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	file := fakeELF(rodata("openshell-sandbox 0.0.47\x00"))
	_, err := elfStringVersion(ctx, bytes.NewReader(file), int64(len(file)), "test", DefaultName, chunkSize)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestELFStringChunkSizeVar(t *testing.T) {
	// The prober reads the package's chunk size; shrink it so the marker
	// lies across chunk boundaries in a real file.
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 5
	path := writeFile(t, fakeELF(rodata(decoys+"\x00openshell-sandbox 0.0.47-dev.13+g57b71c68f\x00/rustc")))
	got, err := ELFString().Probe(context.Background(), Binary{Path: path})
	if err != nil || got.Version != testVersion {
		t.Errorf("Probe = %+v, %v; want %s", got, err, testVersion)
	}
}

func TestELFStringRealBinary(t *testing.T) {
	// fakesup is a Go binary whose .rodata holds a Rust-like packed string
	// with the version glued to its neighbours: no marker, so unknown.
	t.Parallel()
	path := fakeSupervisor(t, foreignArch(), foreignVersion)
	got, err := ELFString().Probe(context.Background(), Binary{Path: path})
	if !errors.Is(err, ErrUnknownVersion) || got.Known() {
		t.Errorf("Probe = %+v, %v; want ErrUnknownVersion", got, err)
	}
}
