package supervisor

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/compat"
)

// DefaultName is the program name the supervisor prints before its version.
const DefaultName = "openshell-sandbox"

// Binary names a supervisor file to identify.
type Binary struct {
	Path     string      // file on disk
	Name     string      // program name printed before the version; "" means [DefaultName]
	Platform v1.Platform // platform the binary is meant for: OS "linux", Architecture, Variant
}

func (b Binary) name() string {
	if b.Name == "" {
		return DefaultName
	}
	return b.Name
}

// Source says how a [Version] was learnt.
type Source string

const (
	SourceRun       Source = "run"          // ran "<bin> --version" on this host
	SourceBuildInfo Source = "go-buildinfo" // Go build information embedded in the binary
	SourceELFString Source = "elf-string"   // version marker found in the ELF's read-only data
	SourceEngine    Source = "engine"       // ran inside a container engine
	SourceUnknown   Source = "unknown"      // no prober was sure
)

// Version is a binary's version and how it was learnt. Version is "" if and
// only if Source is [SourceUnknown]; otherwise it is a full semantic
// version as [compat.ValidVersion] defines it, spelt as the binary
// records it (a leading "v" is kept if present).
type Version struct {
	Version string
	Source  Source
}

var unknown = Version{Source: SourceUnknown}

// Known reports whether v holds a version.
func (v Version) Known() bool { return v.Version != "" }

// String returns, for example, "0.0.47-dev.13+g57b71c68f (run)" or
// "unknown".
func (v Version) String() string {
	if !v.Known() {
		return string(SourceUnknown)
	}
	return fmt.Sprintf("%s (%s)", v.Version, v.Source)
}

// ParseVersionLine returns the version in out, the output of
// "<name> --version". The first line of out, less trailing spaces, tabs and
// carriage returns, must be exactly name, one space and a full semantic
// version (see [compat.ValidVersion]); the version is returned as printed.
// Later lines are ignored. An empty name means [DefaultName]. For example
// "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n" gives
// "0.0.47-dev.13+g57b71c68f". Any other output gives an error wrapping
// [ErrUnknownVersion] that quotes it.
func ParseVersionLine(name, out string) (string, error) {
	v, detail := parseVersionLine(name, out)
	if detail != "" {
		return "", fmt.Errorf("%w: %s", ErrUnknownVersion, detail)
	}
	return v, nil
}

// parseVersionLine implements ParseVersionLine, returning what is wrong
// with out instead of an error.
func parseVersionLine(name, out string) (version, detail string) {
	if name == "" {
		name = DefaultName
	}
	line, _, _ := strings.Cut(out, "\n")
	line = strings.TrimRight(line, " \t\r")
	if v, ok := strings.CutPrefix(line, name+" "); ok && compat.ValidVersion(v) {
		return v, ""
	}
	want := name + " MAJOR.MINOR.PATCH"
	if strings.TrimSpace(out) == "" {
		return "", fmt.Sprintf("output is empty, want %q", want)
	}
	return "", fmt.Sprintf("output %s is not %q", quote(line), want)
}
