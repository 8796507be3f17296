package supervisor

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/compat"
)

func FuzzParseVersionLine(f *testing.F) {
	f.Add("", "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n")
	f.Add("my-sup", "my-sup v1.2.3\r\nmore")
	f.Add("", "openshell-sandbox 0.0\n")
	f.Add("", "\x00\xff")
	f.Fuzz(func(t *testing.T, name, out string) {
		v, err := ParseVersionLine(name, out)
		if err != nil {
			if !errors.Is(err, ErrUnknownVersion) || v != "" {
				t.Fatalf("ParseVersionLine(%q, %q) = %q, %v", name, out, v, err)
			}
			return
		}
		if !compat.ValidVersion(v) {
			t.Fatalf("ParseVersionLine(%q, %q) = %q, not a version", name, out, v)
		}
		if name == "" {
			name = DefaultName
		}
		line, _, _ := strings.Cut(out, "\n")
		if strings.TrimRight(line, " \t\r") != name+" "+v {
			t.Fatalf("ParseVersionLine(%q, %q) = %q, which is not what the first line says", name, out, v)
		}
	})
}

func FuzzELFString(f *testing.F) {
	f.Add(fakeELF(rodata(packedBrief)))
	f.Add(fakeELF(rodata(decoys + "openshell-sandbox 0.0.47-dev.13+g57b71c68f/rustc")))
	f.Add(fakeELF(rodata("openshell-sandbox 1.0.0\x00openshell-sandbox 2.0.0")))
	f.Add(fakeELF(rodata("\x00openshell-sandbox 0.1.99-dev.11+g9a8b7c6MapIter.Key\x00\nopenshell-sandbox 0.0.47\n")))
	f.Add(fakeELF(fakeSection{".rodata.str", elf.SHT_PROGBITS, elf.SHF_ALLOC, "openshell-sandbox 1.0.0-rc.1."}))
	f.Add(fakeELFSegments(fakeSegment{elf.PF_R, "openshell-sandbox 1.0.0"}))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, file []byte) {
		ctx := context.Background()
		v, err := elfStringVersion(ctx, bytes.NewReader(file), int64(len(file)), "test", DefaultName, chunkSize)
		if err != nil {
			if v != "" || !errors.Is(err, ErrUnknownVersion) && !errors.Is(err, ErrNotApplicable) {
				t.Fatalf("got %q, %v; want ErrUnknownVersion or ErrNotApplicable", v, err)
			}
		} else if !compat.ValidVersion(v) {
			t.Fatalf("got %q, not a version", v)
		}
		// The answer does not depend on how the data is chunked.
		w, err2 := elfStringVersion(ctx, bytes.NewReader(file), int64(len(file)), "test", DefaultName, 3)
		if w != v || (err == nil) != (err2 == nil) {
			t.Fatalf("chunk %d: %q, %v; chunk 3: %q, %v", chunkSize, v, err, w, err2)
		}
	})
}

// FuzzVersionScan checks the streaming scan against a scan of the whole
// input at once, for any chunk size.
func FuzzVersionScan(f *testing.F) {
	f.Add(packedBrief, uint8(5))
	f.Add("x\x00openshell-sandbox 1.0.0\x00openshell-sandbox 2.0.0\n", uint8(4))
	f.Add(decoys+"openshell-sandbox 1.0.0openshell-sandbox 1.0.0 ", uint8(1))
	f.Add("openshell-sandbox 1.0.0+"+strings.Repeat("a", maxVersionLen), uint8(17))
	f.Fuzz(func(t *testing.T, data string, chunk uint8) {
		whole := newVersionScan(DefaultName, len(data)+1)
		whole.process([]byte(data), true, true)
		s := newVersionScan(DefaultName, int(chunk))
		if err := s.scan(context.Background(), strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if strings.Join(s.found, " ") != strings.Join(whole.found, " ") {
			t.Fatalf("chunk %d found %q, whole input %q", chunk, s.found, whole.found)
		}
		for _, v := range s.found {
			m := DefaultName + " " + v
			if !compat.ValidVersion(v) || !strings.Contains(data, m+"\x00") && !strings.Contains(data, m+"\n") {
				t.Fatalf("found %q, which is not a version after the marker", v)
			}
		}
	})
}

// qemuAarch64Entry is a binfmt_misc entry as the kernel lists it.
const qemuAarch64Entry = `enabled
interpreter /usr/bin/qemu-aarch64-static
flags: %s
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
`

// FuzzBinfmtEntry checks that any binfmt_misc entry parses without
// panicking and that matching any header is safe.
func FuzzBinfmtEntry(f *testing.F) {
	f.Add(strings.Replace(qemuAarch64Entry, "%s", "F", 1), []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00"))
	f.Add("enabled\noffset 200\nmagic 00\n", []byte{0})
	f.Add("enabled\nmagic zz\nmask ff\n", []byte{})
	f.Fuzz(func(t *testing.T, entry string, head []byte) {
		h := parseBinfmtEntry("x", entry)
		if !h.usable() {
			return
		}
		if h.offset < 0 || h.offset > 128 || len(h.magic) == 0 {
			t.Fatalf("accepted %+v", h)
		}
		h.matches(head)
	})
}
