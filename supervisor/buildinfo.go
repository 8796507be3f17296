package supervisor

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"

	"github.com/openshell-contrib/supctl/compat"
)

type buildInfoProber struct{}

// BuildInfo returns a [Prober] that reads the Go build information embedded
// in a Go binary, without running it; see the package documentation for
// what it accepts as a version. Binaries that are not Go programs get
// [ErrNotApplicable].
func BuildInfo() Prober { return buildInfoProber{} }

func (buildInfoProber) Probe(ctx context.Context, b Binary) (Version, error) {
	f, err := os.Open(b.Path)
	if err != nil {
		return unknown, err
	}
	defer f.Close()
	bi, err := buildinfo.Read(f)
	if err != nil {
		if _, ok := errors.AsType[*fs.PathError](err); ok {
			return unknown, fmt.Errorf("reading build information: %w", err)
		}
		return unknown, fmt.Errorf("%w: %s has no Go build information: %v", ErrNotApplicable, b.Path, err)
	}
	v, err := buildInfoVersion(bi)
	if err != nil {
		return unknown, fmt.Errorf("%w: %s: %s", ErrUnknownVersion, b.Path, err)
	}
	return Version{Version: v, Method: MethodBuildInfo}, nil
}

// buildInfoVersion returns the version bi records, or an error saying why
// it is not sure.
func buildInfoVersion(bi *debug.BuildInfo) (string, error) {
	mod := bi.Main.Version
	if !compat.ValidVersion(mod) || module.IsPseudoVersion(mod) {
		mod = "" // "(devel)", "", or a pseudo-version, which names a commit, not a release
	}
	var ld string
	for _, s := range bi.Settings {
		if s.Key != "-ldflags" {
			continue
		}
		vals, err := ldflagsVersions(s.Value)
		if err != nil {
			return "", err
		}
		for _, v := range vals {
			if ld != "" && v != ld {
				return "", fmt.Errorf("-ldflags set versions %q and %q", ld, v)
			}
			ld = v
		}
	}
	switch {
	case ld != "" && !compat.ValidVersion(ld):
		return "", fmt.Errorf("-ldflags set the version to %s, which is not a semantic version", quote(ld))
	case ld != "" && mod != "":
		if c, _ := compat.Compare(ld, mod); c != 0 {
			return "", fmt.Errorf("-ldflags set version %q but the main module is %q", ld, mod)
		}
		return ld, nil
	case ld != "":
		return ld, nil
	case mod != "":
		return mod, nil
	}
	return "", fmt.Errorf("main module version is %q and -ldflags sets no version", bi.Main.Version)
}

// ldflagsVersions returns the values that -ldflags assigns with -X to a
// variable named "version" (any case) in any package, as in
// "-X main.version=0.0.47". It understands the per-package form
// "pattern=flags", the spellings "-X", "--X", "-X=" and "--X=", and fields
// quoted with ' or " as the go command splits them.
func ldflagsVersions(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s != "" && s[0] != '-' {
		if _, flags, ok := strings.Cut(s, "="); ok {
			s = flags
		}
	}
	fields, err := splitQuoted(s)
	if err != nil {
		return nil, fmt.Errorf("-ldflags %s: %w", quote(s), err)
	}
	var vals []string
	for i := 0; i < len(fields); i++ {
		var arg string
		switch f := fields[i]; {
		case f == "-X" || f == "--X":
			if i+1 == len(fields) {
				continue
			}
			i++
			arg = fields[i]
		case strings.HasPrefix(f, "-X="):
			arg = f[len("-X="):]
		case strings.HasPrefix(f, "--X="):
			arg = f[len("--X="):]
		default:
			continue
		}
		sym, val, ok := strings.Cut(arg, "=")
		dot := strings.LastIndexByte(sym, '.')
		if ok && dot > 0 && strings.EqualFold(sym[dot+1:], "version") {
			vals = append(vals, val)
		}
	}
	return vals, nil
}

// splitQuoted splits s into fields at spaces, tabs, CRs and LFs; a field
// that starts with ' or " runs to the next such quote, which is removed.
func splitQuoted(s string) ([]string, error) {
	var fields []string
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return fields, nil
		}
		if q := s[0]; q == '\'' || q == '"' {
			f, rest, ok := strings.Cut(s[1:], string(q))
			if !ok {
				return nil, fmt.Errorf("unterminated %c", q)
			}
			fields = append(fields, f)
			s = rest
			continue
		}
		i := strings.IndexAny(s, " \t\r\n")
		if i < 0 {
			i = len(s)
		}
		fields = append(fields, s[:i])
		s = s[i:]
	}
}
