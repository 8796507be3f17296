package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// multiline reads a """ or ”' string that may end on a later line.
func (p *tomlParser) multiline(s string) (Value, error) {
	delim := s[:3]
	start := p.i
	var b strings.Builder
	rest := s[3:]
	if rest == "" || rest == "\r" { // a newline right after the opening is trimmed
		p.i++
		if p.i >= len(p.lines) {
			p.i = start
			return Value{}, p.errf("unterminated %s string", delim)
		}
		rest = p.lines[p.i]
	}
	for {
		if j := strings.Index(rest, delim); j >= 0 {
			b.WriteString(rest[:j])
			if err := endOfLine(rest[j+3:]); err != nil {
				return Value{}, p.errf("after the string: %v", err)
			}
			str := b.String()
			if delim == `"""` {
				u, err := unescape(str)
				if err != nil {
					return Value{}, p.errf("%v", err)
				}
				str = u
			}
			return Value{Kind: "string", Str: str, Raw: delim + "…" + delim}, nil
		}
		b.WriteString(rest)
		b.WriteByte('\n')
		p.i++
		if p.i >= len(p.lines) {
			p.i = start
			return Value{}, p.errf("unterminated %s string", delim)
		}
		rest = p.lines[p.i]
	}
}

// compound reads an array or an inline table, over several lines if its
// brackets are not closed on the first.
func (p *tomlParser) compound(s string) (Value, error) {
	start := p.i
	var text strings.Builder
	depth := 0
	var quote byte
	for {
		for k := 0; k < len(s); k++ {
			c := s[k]
			switch {
			case quote != 0:
				if c == '\\' && quote == '"' {
					k++
				} else if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '#':
				s = s[:k]
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
				if depth == 0 {
					text.WriteString(s[:k+1])
					if err := endOfLine(s[k+1:]); err != nil {
						return Value{}, p.errf("after the value: %v", err)
					}
					return p.compoundValue(text.String())
				}
			}
		}
		if quote != 0 {
			return Value{}, p.errf("unterminated string")
		}
		text.WriteString(s)
		text.WriteByte('\n')
		p.i++
		if p.i >= len(p.lines) {
			p.i = start
			return Value{}, p.errf("unclosed bracket")
		}
		s = p.lines[p.i]
	}
}

// compoundValue reads the strings of an array; anything else is kept raw.
func (p *tomlParser) compoundValue(raw string) (Value, error) {
	v := Value{Kind: "other", Raw: strings.TrimSpace(raw)}
	if raw[0] != '[' {
		return v, nil
	}
	v.Kind = "array"
	s := strings.TrimSpace(raw[1 : len(raw)-1])
	for s != "" {
		if s[0] != '"' && s[0] != '\'' {
			v.Strs = nil // not an array of strings: kept raw
			return v, nil
		}
		str, rest, err := parseString(s)
		if err != nil {
			return Value{}, p.errf("%v", err)
		}
		v.Strs = append(v.Strs, str)
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return Value{}, p.errf("expected ',' between array elements, found %q", rest[:1])
		}
		s = strings.TrimSpace(rest[1:])
	}
	return v, nil
}

// parseString reads one basic or literal string at the start of s and
// returns it and what follows.
func parseString(s string) (string, string, error) {
	q := s[0]
	for k := 1; k < len(s); k++ {
		switch {
		case s[k] == '\\' && q == '"':
			k++
		case s[k] == q:
			if q == '\'' {
				return s[1:k], s[k+1:], nil
			}
			u, err := unescape(s[1:k])
			return u, s[k+1:], err
		case s[k] == '\n':
			return "", "", fmt.Errorf("unterminated string")
		}
	}
	return "", "", fmt.Errorf("unterminated string")
}

// unescape resolves the escapes of a basic string.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for k := 0; k < len(s); k++ {
		if s[k] != '\\' {
			b.WriteByte(s[k])
			continue
		}
		k++
		if k >= len(s) {
			return "", fmt.Errorf("a string ends in a backslash")
		}
		switch c := s[k]; c {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(c)
		case 'u', 'U':
			n := 4
			if c == 'U' {
				n = 8
			}
			if k+1+n > len(s) {
				return "", fmt.Errorf("short \\%c escape", c)
			}
			r, err := strconv.ParseUint(s[k+1:k+1+n], 16, 32)
			if err != nil {
				return "", fmt.Errorf("bad \\%c escape", c)
			}
			b.WriteRune(rune(r))
			k += n
		case '\n', ' ', '\t', '\r': // a line-ending backslash in a multi-line string
			k = len(s) - len(strings.TrimLeft(s[k:], " \t\r\n")) - 1
		default:
			return "", fmt.Errorf("unknown escape \\%c", c)
		}
	}
	return b.String(), nil
}

func firstInvalidLine(b []byte) int {
	line := 1
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if b[0] == '\n' {
			line++
		}
		b = b[n:]
	}
	return line
}
