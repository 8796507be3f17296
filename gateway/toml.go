package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxConfigSize caps the gateway files read (gateway.toml, gateway.env).
const maxConfigSize = 1 << 20

// A Value is one TOML value of gateway.toml, as far as this package reads
// it: strings and arrays of strings in full, integers and booleans, and
// anything else (floats, dates, inline tables, nested arrays) kept as its
// raw text.
type Value struct {
	Str  string   `json:"string,omitempty"`
	Strs []string `json:"strings,omitempty"`
	// Raw is the value as written, for every kind.
	Raw  string `json:"raw"`
	Kind string `json:"kind"` // "string", "array", "integer", "boolean" or "other"
	Line int    `json:"line"`
}

// Doc is a parsed TOML document: every key, by the dotted path of its
// table ("openshell.drivers.docker"), then by its name.
type Doc map[string]map[string]Value

// SyntaxError is a line of gateway.toml or gateway.env that does not
// parse.
type SyntaxError struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// ParseTOML parses the subset of TOML 1.0 a gateway.toml is written in:
// comments, [table] and [[array]] headers with bare or quoted dotted keys,
// key = value with dotted keys, basic and literal strings (multi-line too),
// arrays (over several lines too), integers, booleans, and other values
// kept raw. A line it cannot read is a [*SyntaxError] naming it; so is a
// key or table defined twice, which TOML (and so the gateway) refuses.
func ParseTOML(path string, b []byte) (Doc, error) {
	p := &tomlParser{path: path, lines: strings.Split(strings.TrimPrefix(string(b), "\ufeff"), "\n"), doc: Doc{"": {}}}
	if !utf8.Valid(b) {
		return nil, &SyntaxError{Path: path, Line: firstInvalidLine(b), Msg: "not UTF-8"}
	}
	return p.doc, p.parse()
}

type tomlParser struct {
	path    string
	lines   []string
	i       int // current line, 0-based
	table   string
	doc     Doc
	headers map[string]bool
}

func (p *tomlParser) errf(f string, a ...any) error {
	return &SyntaxError{Path: p.path, Line: p.i + 1, Msg: fmt.Sprintf(f, a...)}
}

func (p *tomlParser) parse() error {
	p.headers = map[string]bool{}
	for ; p.i < len(p.lines); p.i++ {
		s := strings.TrimSpace(strings.TrimSuffix(p.lines[p.i], "\r"))
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			if err := p.header(s); err != nil {
				return err
			}
			continue
		}
		if err := p.keyValue(s); err != nil {
			return err
		}
	}
	return nil
}

func (p *tomlParser) header(s string) error {
	array := strings.HasPrefix(s, "[[")
	open, close := "[", "]"
	if array {
		open, close = "[[", "]]"
	}
	keys, rest, err := parseKey(strings.TrimPrefix(s, open), close)
	if err != nil {
		return p.errf("table header %s: %v", s, err)
	}
	if err := endOfLine(rest); err != nil {
		return p.errf("after table header: %v", err)
	}
	name := strings.Join(keys, ".")
	if array {
		p.table = name + "[]" // an array of tables: kept apart, not read
		p.doc[p.table] = map[string]Value{}
		return nil
	}
	if p.headers[name] {
		return p.errf("table [%s] defined twice", name)
	}
	p.headers[name] = true
	p.table = name
	if p.doc[name] == nil {
		p.doc[name] = map[string]Value{}
	}
	return nil
}

func (p *tomlParser) keyValue(s string) error {
	keys, rest, err := parseKey(s, "=")
	if err != nil {
		return p.errf("%v", err)
	}
	table := p.table
	for _, k := range keys[:len(keys)-1] {
		table = join(table, k)
	}
	key := keys[len(keys)-1]
	line := p.i + 1
	v, err := p.value(strings.TrimLeft(rest, " \t"))
	if err != nil {
		return err
	}
	v.Line = line
	if p.doc[table] == nil {
		p.doc[table] = map[string]Value{}
	}
	if _, dup := p.doc[table][key]; dup {
		return &SyntaxError{Path: p.path, Line: line, Msg: fmt.Sprintf("key %s defined twice", join(table, key))}
	}
	p.doc[table][key] = v
	return nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// parseKey reads a dotted key up to the terminator term and returns its
// parts and what follows term.
func parseKey(s, term string) ([]string, string, error) {
	var keys []string
	for {
		s = strings.TrimLeft(s, " \t")
		var k string
		switch {
		case s == "":
			return nil, "", fmt.Errorf("missing %q", term)
		case s[0] == '"' || s[0] == '\'':
			str, rest, err := parseString(s)
			if err != nil {
				return nil, "", err
			}
			k, s = str, rest
		default:
			n := 0
			for n < len(s) && (isBare(s[n])) {
				n++
			}
			if n == 0 {
				return nil, "", fmt.Errorf("unexpected %q where a key belongs", s[:1])
			}
			k, s = s[:n], s[n:]
		}
		keys = append(keys, k)
		s = strings.TrimLeft(s, " \t")
		switch {
		case strings.HasPrefix(s, "."):
			s = s[1:]
		case strings.HasPrefix(s, term):
			return keys, s[len(term):], nil
		default:
			return nil, "", fmt.Errorf("expected %q after key %q", term, strings.Join(keys, "."))
		}
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// endOfLine accepts whitespace and a comment.
func endOfLine(s string) error {
	s = strings.TrimSpace(strings.TrimSuffix(s, "\r"))
	if s == "" || s[0] == '#' {
		return nil
	}
	return fmt.Errorf("unexpected %q", s)
}

// value reads the value starting at s on the current line, consuming more
// lines for multi-line strings and arrays.
func (p *tomlParser) value(s string) (Value, error) {
	switch {
	case strings.HasPrefix(s, `"""`) || strings.HasPrefix(s, `'''`):
		return p.multiline(s)
	case strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `'`):
		str, rest, err := parseString(s)
		if err != nil {
			return Value{}, p.errf("%v", err)
		}
		if err := endOfLine(rest); err != nil {
			return Value{}, p.errf("after the string: %v", err)
		}
		return Value{Kind: "string", Str: str, Raw: strings.TrimSpace(s[:len(s)-len(rest)])}, nil
	case strings.HasPrefix(s, "["), strings.HasPrefix(s, "{"):
		return p.compound(s)
	}
	raw, _, _ := strings.Cut(s, "#")
	raw = strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
	switch {
	case raw == "":
		return Value{}, p.errf("missing value")
	case raw == "true" || raw == "false":
		return Value{Kind: "boolean", Raw: raw}, nil
	}
	if _, err := strconv.ParseInt(strings.ReplaceAll(raw, "_", ""), 0, 64); err == nil {
		return Value{Kind: "integer", Raw: raw}, nil
	}
	for _, c := range raw {
		if !(c >= '0' && c <= '9' || strings.ContainsRune("+-.:_eETZnaif ", c)) {
			return Value{}, p.errf("value %q is not a TOML value (a string needs quotes)", raw)
		}
	}
	return Value{Kind: "other", Raw: raw}, nil
}
