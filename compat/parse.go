package compat

import "strings"

const (
	msgEmpty      = "is empty (want comparators such as >=0.0.47-0 <0.1.0)"
	msgBadOp      = "is not an operator (want =, !=, >, >=, <, <=)"
	msgSinglePipe = "is not an operator (want || between alternatives)"
	msgNoVersion  = "has no version after it"
	msgBadVersion = "is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)"
	msgOrBefore   = "has no comparator before it"
	msgOrAfter    = "has no comparator after it"
)

// Parse parses a range written in the grammar of the package
// documentation. It rejects an empty range, an empty side of "||", an
// unknown operator such as "~", "^" or "=>", an operator without a
// version, and a version that is not a full semantic version, with a
// [*ParseError] that wraps [ErrBadRange].
func Parse(s string) (*Range, error) {
	p := parser{in: s}
	return p.parse()
}

// MustParse is like [Parse] but panics if s is not a valid range. It is
// meant for ranges written into the program.
func MustParse(s string) *Range {
	r, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

type parser struct {
	in  string
	pos int
}

func (p *parser) parse() (*Range, error) {
	var (
		r      Range
		alt    []comparator
		lastOr = -1 // offset of the last "||", or -1
	)
	for {
		p.skipSpace()
		if p.pos == len(p.in) {
			break
		}
		start := p.pos
		if p.in[start] == '|' {
			if !strings.HasPrefix(p.in[start:], "||") {
				return nil, p.fail(start, "|", msgSinglePipe)
			}
			if len(alt) == 0 {
				return nil, p.fail(start, "||", msgOrBefore)
			}
			r.alts = append(r.alts, alt)
			alt = nil
			lastOr = start
			p.pos += 2
			continue
		}
		c, err := p.comparator()
		if err != nil {
			return nil, err
		}
		alt = append(alt, c)
	}
	if len(alt) == 0 {
		if lastOr < 0 {
			return nil, p.fail(0, "", msgEmpty)
		}
		return nil, p.fail(lastOr, "||", msgOrAfter)
	}
	r.alts = append(r.alts, alt)
	return &r, nil
}

// comparator parses one comparator starting at p.pos, which is neither
// whitespace nor '|'. A comparator ends at whitespace, '|' or the end.
func (p *parser) comparator() (comparator, error) {
	start := p.pos
	for p.pos < len(p.in) && isOpByte(p.in[p.pos]) {
		p.pos++
	}
	opText := p.in[start:p.pos]
	o, ok := parseOp(opText)
	if !ok {
		return comparator{}, p.fail(start, opText, msgBadOp)
	}
	if opText != "" {
		p.skipSpace()
	}
	vStart := p.pos
	for p.pos < len(p.in) && !isSpace(p.in[p.pos]) && p.in[p.pos] != '|' {
		p.pos++
	}
	text := p.in[vStart:p.pos]
	if text == "" {
		return comparator{}, p.fail(start, opText, msgNoVersion)
	}
	v, ok := canonical(text)
	if !ok {
		return comparator{}, p.fail(start, p.in[start:p.pos], msgBadVersion)
	}
	return comparator{op: o, version: v}, nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.in) && isSpace(p.in[p.pos]) {
		p.pos++
	}
}

func (p *parser) fail(offset int, token, msg string) *ParseError {
	return &ParseError{Input: p.in, Offset: offset, Token: token, Msg: msg}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// isOpByte reports whether c may be part of an operator. It includes '~'
// and '^' so that npm-style operators are reported as unknown operators
// rather than as bad versions.
func isOpByte(c byte) bool {
	return strings.IndexByte("<>=!~^", c) >= 0
}
