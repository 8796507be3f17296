package compat

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/openshell-contrib/supctl/internal/shorten"
)

// ErrBadVersion reports a version that is not a full Semantic Versioning
// 2.0.0 version. Errors from [Compare] and [Range.Contains] wrap it.
var ErrBadVersion = errors.New("bad version")

// ValidVersion reports whether v is a full Semantic Versioning 2.0.0 version
// (MAJOR.MINOR.PATCH with optional -prerelease and +build), optionally
// preceded by a single "v". Shorthands such as "1.2" are not valid.
func ValidVersion(v string) bool {
	_, ok := canonical(v)
	return ok
}

// Compare compares a and b by Semantic Versioning 2.0.0 precedence and
// returns -1, 0 or +1 for a < b, a == b and a > b. Build metadata is
// ignored, so Compare("1.0.0+a", "1.0.0+b") is 0. If a or b is not valid
// (see [ValidVersion]) Compare returns 0 and an error wrapping
// [ErrBadVersion] that names the value.
func Compare(a, b string) (int, error) {
	va, err := parseVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseVersion(b)
	if err != nil {
		return 0, err
	}
	return semver.Compare(va, vb), nil
}

// parseVersion returns v in the form golang.org/x/mod/semver wants, or an
// error wrapping ErrBadVersion.
func parseVersion(v string) (string, error) {
	c, ok := canonical(v)
	if !ok {
		return "", &versionError{value: v}
	}
	return c, nil
}

// canonical returns v with exactly one leading "v", as
// golang.org/x/mod/semver requires, and whether v is a full version.
//
// semver.IsValid alone is not enough: it accepts the shorthands "v1" and
// "v1.2", which this package rejects, and semver.Compare treats every
// invalid string as equal, so validity must be checked before comparing.
func canonical(v string) (string, bool) {
	s := strings.TrimPrefix(v, "v")
	core := s
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	if strings.Count(core, ".") != 2 {
		return "", false
	}
	s = "v" + s
	return s, semver.IsValid(s)
}

type versionError struct{ value string }

func (e *versionError) Error() string {
	if e.value == "" {
		return "bad version: empty (want MAJOR.MINOR.PATCH, e.g. 0.1.0)"
	}
	return fmt.Sprintf("bad version: %s is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)", shorten.Quote(e.value))
}

func (e *versionError) Unwrap() error { return ErrBadVersion }
