package resolver

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// DriverConfig returns the gateway configuration table that sets image as
// the Docker driver's supervisor image:
//
//	[openshell.drivers.docker]
//	supervisor_image = "ghcr.io/nvidia/openshell/supervisor@sha256:..."
//
// The value is a TOML basic string, escaped as TOML requires, so the table
// parses whatever image holds.
func DriverConfig(image string) string {
	return "[openshell.drivers.docker]\nsupervisor_image = " + tomlString(image) + "\n"
}

// DriverConfig is the gateway configuration table that sets the pinned
// image ([DriverConfig] of p.Image): what "supctl pin --format toml" prints.
func (p *Pin) DriverConfig() string { return DriverConfig(p.Image) }

// WriteConfig writes the pin as a gateway configuration file, the one a
// release installs: comments saying what each platform's binary is (its
// version, how it was learned, its SHA-256) and the range it was checked
// against, then [Pin.DriverConfig].
func (p *Pin) WriteConfig(w io.Writer) error {
	var b strings.Builder
	for _, res := range p.Platforms {
		fmt.Fprintf(&b, "# %s: %s %s (%s), sha256 %s\n", tomlComment(res.Platform), tomlComment(filepath.Base(res.Path)),
			tomlComment(res.Version), tomlComment(res.VersionSource), tomlComment(res.BinarySHA256))
	}
	if p.Range != "" {
		fmt.Fprintf(&b, "# Checked against %s.\n", tomlString(p.Range))
	}
	b.WriteString(p.DriverConfig())
	_, err := io.WriteString(w, b.String())
	return err
}

// tomlString quotes s as a TOML basic string. Quotes, backslashes and
// control characters are escaped (TOML has no \x, \a or \v, unlike Go), and
// bytes that are not UTF-8 become U+FFFD, which TOML requires.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlComment is s if it can stand in a TOML comment as it is (UTF-8, no
// control character but tab), else s quoted by tomlString: a value cannot
// end the comment and start a line of its own.
func tomlComment(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return tomlString(s)
	}
	return s
}
