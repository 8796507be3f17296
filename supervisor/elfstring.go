package supervisor

import (
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"strings"
)

type elfStringProber struct{}

// ELFString returns a [Prober] that reads the version marker from the
// binary's read-only data, without running it; the package documentation
// defines the marker. Files that are not ELF get [ErrNotApplicable]; a
// binary without the marker, [ErrUnknownVersion].
func ELFString() Prober { return elfStringProber{} }

func (elfStringProber) Probe(ctx context.Context, b Binary) (Version, error) {
	f, err := os.Open(b.Path)
	if err != nil {
		return unknown, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return unknown, err
	}
	v, err := elfStringVersion(ctx, f, st.Size(), b.Path, b.name(), chunkSize)
	if err != nil {
		return unknown, err
	}
	return Version{Version: v, Method: MethodELFString}, nil
}

// elfStringVersion reads the version marker to the ELF file in r, which
// is size bytes long and named path in messages, reading chunk bytes at a
// time.
func elfStringVersion(ctx context.Context, r io.ReaderAt, size int64, path, name string, chunk int) (string, error) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return "", &fileError{path: path, kind: ErrNotELF, detail: err.Error(), also: ErrNotApplicable}
	}
	s := newVersionScan(name, chunk)
	for _, regions := range dataRegions(ef) {
		var total uint64
		for _, r := range regions {
			total += r.size
		}
		if total > uint64(size) {
			return "", fmt.Errorf("%w: %s: the %ss to search hold more bytes than the file", ErrUnknownVersion, path, regions[0].kind)
		}
		for _, r := range regions {
			if err := s.scan(ctx, r.open()); err != nil {
				return "", fmt.Errorf("%s: reading %s: %w", path, r.what, err)
			}
		}
		switch len(s.found) {
		case 0:
			continue
		case 1:
			return s.found[0], nil
		default:
			return "", fmt.Errorf("%w: %s: the version markers disagree: %s", ErrUnknownVersion, path, strings.Join(s.found, ", "))
		}
	}
	return "", fmt.Errorf("%w: %s: no version marker (NUL, %q, a version, NUL) in the read-only data", ErrUnknownVersion, path, name+" ")
}

// region is a part of the file to search.
type region struct {
	kind string // "section" or "segment"
	what string // for messages, e.g. "section .rodata"
	size uint64
	open func() io.ReadSeeker
}

// dataRegions returns the groups of regions to search, in order, as the
// package documentation describes: .rodata; then the other allocated,
// non-executable PROGBITS sections; or, in a file without section
// headers, the loadable segments that are not executable.
func dataRegions(ef *elf.File) [][]region {
	var rodata, others []region
	for _, sec := range ef.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_ALLOC == 0 ||
			sec.Flags&(elf.SHF_EXECINSTR|elf.SHF_COMPRESSED) != 0 {
			continue
		}
		r := region{kind: "section", what: "section " + sec.Name, size: sec.Size, open: sec.Open}
		if sec.Name == ".rodata" {
			rodata = append(rodata, r)
		} else {
			others = append(others, r)
		}
	}
	if len(ef.Sections) > 1 { // index 0 is always the null section
		return [][]region{rodata, others}
	}
	var segs []region
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X == 0 {
			segs = append(segs, region{kind: "segment", what: "segment", size: p.Filesz, open: p.Open})
		}
	}
	return [][]region{segs}
}
