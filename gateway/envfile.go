package gateway

import (
	"fmt"
	"strings"
)

// EnvVar is one assignment of gateway.env.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Line  int    `json:"line"`
}

// ParseEnvFile parses gateway.env as both its readers accept it: systemd's
// EnvironmentFile= (the deb and rpm user units) and "set -a; . FILE" of the
// Homebrew service wrapper. Each line is blank, a comment (# or ;), or
// NAME=VALUE with an optional "export " before it; VALUE is bare (its
// surrounding blanks trimmed; a trailing backslash joins the next line),
// or in double quotes (backslash escapes \" \\ \$ \` and \n) or single
// quotes (taken as written). A line that is none of these, or a name that
// is not [A-Za-z_][A-Za-z0-9_]*, is a [*SyntaxError] naming the line: the
// two readers would disagree about it, or refuse it. Later assignments win.
func ParseEnvFile(path string, b []byte) ([]EnvVar, error) {
	lines := strings.Split(strings.TrimPrefix(string(b), "\ufeff"), "\n")
	var vars []EnvVar
	for i := 0; i < len(lines); i++ {
		n := i + 1
		s := strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		name, val, ok := strings.Cut(s, "=")
		if !ok {
			return nil, &SyntaxError{Path: path, Line: n, Msg: fmt.Sprintf("%q is not NAME=VALUE", s)}
		}
		if !validName(name) {
			return nil, &SyntaxError{Path: path, Line: n, Msg: fmt.Sprintf("%q is not a variable name", name)}
		}
		val = strings.TrimSpace(val)
		switch {
		case strings.HasPrefix(val, `"`):
			v, rest, err := doubleQuoted(val, lines, &i)
			if err != nil {
				return nil, &SyntaxError{Path: path, Line: n, Msg: err.Error()}
			}
			if strings.TrimSpace(rest) != "" {
				return nil, &SyntaxError{Path: path, Line: i + 1, Msg: fmt.Sprintf("%q after the closing quote", strings.TrimSpace(rest))}
			}
			val = v
		case strings.HasPrefix(val, "'"):
			end := strings.IndexByte(val[1:], '\'')
			if end < 0 {
				return nil, &SyntaxError{Path: path, Line: n, Msg: "unterminated single quote"}
			}
			if rest := strings.TrimSpace(val[end+2:]); rest != "" {
				return nil, &SyntaxError{Path: path, Line: n, Msg: fmt.Sprintf("%q after the closing quote", rest)}
			}
			val = val[1 : end+1]
		default:
			for strings.HasSuffix(val, `\`) && i+1 < len(lines) {
				i++
				val = strings.TrimSuffix(val, `\`) + strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
			}
			if strings.ContainsAny(val, "\"'`$;&|<>()") || strings.ContainsAny(val, " \t") {
				return nil, &SyntaxError{Path: path, Line: n, Msg: fmt.Sprintf("unquoted value %q: quote it, the shell and systemd read it differently", val)}
			}
		}
		vars = append(vars, EnvVar{Name: name, Value: val, Line: n})
	}
	return vars, nil
}

// doubleQuoted reads a double-quoted value, which may go on over lines.
func doubleQuoted(val string, lines []string, i *int) (string, string, error) {
	var b strings.Builder
	s := val[1:]
	for {
		for k := 0; k < len(s); k++ {
			switch c := s[k]; {
			case c == '\\' && k+1 < len(s):
				k++
				switch s[k] {
				case '"', '\\', '$', '`':
					b.WriteByte(s[k])
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte('\\')
					b.WriteByte(s[k])
				}
			case c == '"':
				return b.String(), s[k+1:], nil
			default:
				b.WriteByte(c)
			}
		}
		if *i+1 >= len(lines) {
			return "", "", fmt.Errorf("unterminated double quote")
		}
		*i++
		b.WriteByte('\n')
		s = strings.TrimSuffix(lines[*i], "\r")
	}
}

func validName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(isBare(s[i]) && s[i] != '-') {
			return false
		}
	}
	return true
}
