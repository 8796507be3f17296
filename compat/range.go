package compat

import (
	"strings"

	"golang.org/x/mod/semver"
)

// Range is a parsed compatibility range. It is immutable and safe for
// concurrent use. The zero Range, like a nil *Range, holds no version and
// prints as ""; [Parse] never returns it.
type Range struct {
	alts [][]comparator // at least one alternative, each non-empty
}

type comparator struct {
	op      op
	version string // valid, with one leading "v" as golang.org/x/mod/semver wants
}

type op int

const (
	opEQ op = iota
	opNE
	opGT
	opGE
	opLT
	opLE
)

var opText = [...]string{opEQ: "=", opNE: "!=", opGT: ">", opGE: ">=", opLT: "<", opLE: "<="}

// parseOp maps an operator's text to an op; "" is "=".
func parseOp(s string) (op, bool) {
	if s == "" {
		return opEQ, true
	}
	for o, t := range opText {
		if t == s {
			return op(o), true
		}
	}
	return 0, false
}

// holds reports whether the comparison of a version with c.version, cmp as
// returned by semver.Compare, satisfies c.
func (c comparator) holds(cmp int) bool {
	switch c.op {
	case opEQ:
		return cmp == 0
	case opNE:
		return cmp != 0
	case opGT:
		return cmp > 0
	case opGE:
		return cmp >= 0
	case opLT:
		return cmp < 0
	case opLE:
		return cmp <= 0
	}
	return false
}

// Contains reports whether version lies in r. It returns an error wrapping
// [ErrBadVersion] and naming the value if version is not a full semantic
// version (see [ValidVersion]); an empty version is such an error.
func (r *Range) Contains(version string) (bool, error) {
	v, err := parseVersion(version)
	if err != nil {
		return false, err
	}
	if r == nil {
		return false, nil
	}
	for _, alt := range r.alts {
		if allHold(alt, v) {
			return true, nil
		}
	}
	return false, nil
}

func allHold(alt []comparator, v string) bool {
	for _, c := range alt {
		if !c.holds(semver.Compare(v, c.version)) {
			return false
		}
	}
	return true
}

// String returns r in the canonical form described in the package
// documentation, for example ">=0.0.47-0 <0.1.0". [Parse] accepts it and
// returns an equal range.
func (r *Range) String() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for i, alt := range r.alts {
		if i > 0 {
			b.WriteString(" || ")
		}
		for j, c := range alt {
			if j > 0 {
				b.WriteByte(' ')
			}
			if c.op != opEQ {
				b.WriteString(opText[c.op])
			}
			b.WriteString(strings.TrimPrefix(c.version, "v"))
		}
	}
	return b.String()
}
