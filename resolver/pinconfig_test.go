package resolver_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/openshell-contrib/supctl/resolver"
)

func TestDriverConfig(t *testing.T) {
	for _, tc := range []struct{ image, want string }{
		{"ghcr.io/nvidia/openshell/supervisor@sha256:0123", `"ghcr.io/nvidia/openshell/supervisor@sha256:0123"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\tnl\ncr\rff\fbs\b", `"tab\tnl\ncr\rff\fbs\b"`},
		{"nul\x00bel\x07vt\x0bdel\x7f", `"nul\u0000bel\u0007vt\u000Bdel\u007F"`}, // no \x, \a or \v in TOML
		{"bad\xffutf8", `"bad\uFFFDutf8"`},
		{"ünïcødé ✓", `"ünïcødé ✓"`},
		{"", `""`},
	} {
		got := resolver.DriverConfig(tc.image)
		if want := "[openshell.drivers.docker]\nsupervisor_image = " + tc.want + "\n"; got != want {
			t.Errorf("DriverConfig(%q) =\n%s want\n%s", tc.image, got, want)
		}
		checkDriverConfig(t, got, string([]rune(tc.image))) // each invalid byte becomes U+FFFD
	}
}

func TestPinWriteConfig(t *testing.T) {
	pin := &resolver.Pin{
		Ref:   "ghcr.io/nvidia/openshell/supervisor:0.0.47",
		Image: "ghcr.io/nvidia/openshell/supervisor@sha256:0123",
		Range: ">=0.0.47-0 <0.1.0",
		Platforms: []*resolver.Result{
			{Platform: "linux/amd64", Path: "/c/entries/x/openshell-sandbox", Version: "0.0.47", VersionSource: "run", BinarySHA256: "aa"},
			{Platform: "linux/arm64", Path: "/c/entries/y/openshell-sandbox", Version: "0.0.47\n[evil]\nx = 1", VersionSource: "elf-string", BinarySHA256: "bb"},
		},
	}
	var b strings.Builder
	if err := pin.WriteConfig(&b); err != nil {
		t.Fatal(err)
	}
	want := `# linux/amd64: openshell-sandbox 0.0.47 (run), sha256 aa
# linux/arm64: openshell-sandbox "0.0.47\n[evil]\nx = 1" (elf-string), sha256 bb
# Checked against ">=0.0.47-0 <0.1.0".
[openshell.drivers.docker]
supervisor_image = "ghcr.io/nvidia/openshell/supervisor@sha256:0123"
`
	if b.String() != want {
		t.Errorf("WriteConfig:\n%s\nwant\n%s", b.String(), want)
	}
	checkDriverConfig(t, b.String(), pin.Image)
	if pin.DriverConfig() != resolver.DriverConfig(pin.Image) {
		t.Errorf("Pin.DriverConfig %q", pin.DriverConfig())
	}
}

// FuzzDriverConfig: whatever the image and the pinned versions, the file
// parses as TOML and sets exactly supervisor_image, to the image.
func FuzzDriverConfig(f *testing.F) {
	f.Add("ghcr.io/nvidia/openshell/supervisor@sha256:0123", "0.0.47", ">=0.0.47-0")
	f.Add("a\"b\\c\x00\x7f\xff", "v\n[x]", "\r\n")
	f.Fuzz(func(t *testing.T, image, version, rng string) {
		pin := &resolver.Pin{Image: image, Range: rng, Platforms: []*resolver.Result{{Platform: "linux/amd64", Version: version, VersionSource: version}}}
		var b strings.Builder
		if err := pin.WriteConfig(&b); err != nil {
			t.Fatal(err)
		}
		checkDriverConfig(t, b.String(), string([]rune(image)))
	})
}

// checkDriverConfig fails unless doc parses as TOML holding just the
// table [openshell.drivers.docker] with supervisor_image = image.
func checkDriverConfig(t *testing.T, doc, image string) {
	t.Helper()
	got, err := parseTOML(doc)
	if err != nil {
		t.Fatalf("%v in:\n%s", err, doc)
	}
	if len(got) != 1 || got["openshell.drivers.docker.supervisor_image"] != image {
		t.Fatalf("the document sets %q, want supervisor_image = %q:\n%s", got, image, doc)
	}
}

// parseTOML parses the subset of TOML 1.0 that a driver configuration may
// use: blank lines, comments, table headers of bare dotted keys, and
// bare-key = basic-string pairs. It refuses anything else, and everything
// TOML forbids in those: invalid UTF-8, control characters in comments and
// strings, unknown escapes, duplicate keys.
func parseTOML(doc string) (map[string]string, error) {
	if !utf8.ValidString(doc) {
		return nil, errors.New("not UTF-8")
	}
	if doc != "" && !strings.HasSuffix(doc, "\n") {
		return nil, errors.New("no final newline")
	}
	out := map[string]string{}
	table := ""
	for i, line := range strings.Split(strings.TrimSuffix(doc, "\n"), "\n") {
		fail := func(format string, a ...any) error {
			return fmt.Errorf("line %d %q: %s", i+1, line, fmt.Sprintf(format, a...))
		}
		line = strings.TrimSuffix(line, "\r")
		code, comment, _ := strings.Cut(line, "#")
		if strings.ContainsFunc(comment, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return nil, fail("control character in a comment")
		}
		code = strings.Trim(code, " \t")
		switch {
		case code == "":
		case strings.HasPrefix(code, "["):
			name, ok := strings.CutSuffix(code[1:], "]")
			if !ok || !bareDotted(name) {
				return nil, fail("bad table header")
			}
			table = name + "."
		default:
			key, rest, ok := strings.Cut(line, "=")
			key = strings.Trim(key, " \t")
			if !ok || !bareDotted(key) {
				return nil, fail("bad key")
			}
			val, tail, err := basicString(strings.TrimLeft(rest, " \t"))
			if err != nil {
				return nil, fail("%v", err)
			}
			if tail = strings.Trim(tail, " \t"); tail != "" && tail[0] != '#' {
				return nil, fail("text after the value")
			}
			if _, dup := out[table+key]; dup {
				return nil, fail("duplicate key")
			}
			out[table+key] = val
		}
	}
	return out, nil
}

func bareDotted(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" || strings.ContainsFunc(part, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) {
			return false
		}
	}
	return true
}

// basicString decodes the TOML basic string at the start of s and returns
// the rest of s.
func basicString(s string) (val, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", errors.New("not a basic string")
	}
	var b strings.Builder
	for i := 1; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			return b.String(), s[i+1:], nil
		case r < 0x20 && r != '\t' || r == 0x7f:
			return "", "", fmt.Errorf("control character %U in a string", r)
		case r != '\\':
			b.WriteRune(r)
			i += n
			continue
		}
		if i+1 >= len(s) {
			return "", "", errors.New("unterminated escape")
		}
		esc := map[byte]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", '"': `"`, '\\': `\`}
		if v, ok := esc[s[i+1]]; ok {
			b.WriteString(v)
			i += 2
			continue
		}
		digits := map[byte]int{'u': 4, 'U': 8}[s[i+1]]
		if digits == 0 || i+2+digits > len(s) {
			return "", "", fmt.Errorf("bad escape %q", s[i:min(i+2, len(s))])
		}
		u, err := strconv.ParseUint(s[i+2:i+2+digits], 16, 32)
		if err != nil || u > utf8.MaxRune || u >= 0xD800 && u <= 0xDFFF {
			return "", "", fmt.Errorf("bad unicode escape %q", s[i:i+2+digits])
		}
		b.WriteRune(rune(u))
		i += 2 + digits
	}
	return "", "", errors.New("unterminated string")
}

// The checker refuses what a TOML parser refuses, such as Go's quoting.
func TestParseTOMLRefuses(t *testing.T) {
	for _, doc := range []string{
		"[openshell.drivers.docker]\nsupervisor_image = " + strconv.Quote("nul\x00") + "\n", // \x00
		"[openshell.drivers.docker]\nsupervisor_image = " + strconv.Quote("bel\a") + "\n",   // \a
		"[openshell.drivers.docker]\nsupervisor_image = \"a\"\nsupervisor_image = \"b\"\n",
		"[openshell.drivers.docker]\nsupervisor_image = \"a\n",
		"# v0.0.47\x7f\n",
		"[a..b]\n",
		"supervisor_image = \"\\uD800\"\n",
		"supervisor_image = \"a\" b\n",
	} {
		if got, err := parseTOML(doc); err == nil {
			t.Errorf("parseTOML(%q) = %q, want an error", doc, got)
		}
	}
}
