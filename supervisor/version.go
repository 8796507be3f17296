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

// A Method is a way of learning a binary's version: a [Version]'s Method
// says how it was learnt, an [Attempt]'s which one could not answer. Its
// value is what records and JSON output spell ("run", "engine", ...).
type Method string

const (
	MethodRun       Method = "run"          // ran "<bin> --version" on this host
	MethodBuildInfo Method = "go-buildinfo" // Go build information embedded in the binary
	MethodELFString Method = "elf-string"   // version marker found in the ELF's read-only data
	MethodEngine    Method = "engine"       // ran inside a container engine
	MethodUnknown   Method = "unknown"      // no prober was sure
)

// Version is a binary's version and how it was learnt. Version is "" if and
// only if Method is [MethodUnknown]; otherwise it is a full semantic
// version as [compat.ValidVersion] defines it, spelt as the binary
// records it (a leading "v" is kept if present).
type Version struct {
	Version string
	Method  Method
}

var unknown = Version{Method: MethodUnknown}

// Known reports whether v holds a version.
func (v Version) Known() bool { return v.Version != "" }

// String returns, for example, "0.0.47-dev.13+g57b71c68f (run)" or
// "unknown".
func (v Version) String() string {
	if !v.Known() {
		return string(MethodUnknown)
	}
	return fmt.Sprintf("%s (%s)", v.Version, v.Method)
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
