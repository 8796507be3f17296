package registry

import "strings"

// A challenge is one parsed WWW-Authenticate challenge: its scheme, in
// lower case, and its parameters (realm, service, scope...).
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenge returns the first challenge of the headers whose scheme
// supctl can answer (Bearer, then Basic), as RFC 9110 §11.6.1 writes them:
// `Bearer realm="https://auth.example/token",service="registry",scope="..."`.
// Quoted values may hold commas and escaped quotes.
func parseChallenge(headers []string) (challenge, bool) {
	var basic *challenge
	for _, h := range headers {
		for _, c := range parseChallenges(h) {
			switch c.scheme {
			case "bearer":
				return c, true
			case "basic":
				if basic == nil {
					basic = &c
				}
			}
		}
	}
	if basic != nil {
		return *basic, true
	}
	return challenge{}, false
}

// parseChallenges parses one header value, which may hold several
// challenges.
func parseChallenges(h string) []challenge {
	var out []challenge
	s := h
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		i := strings.IndexAny(s, " \t,")
		if i < 0 {
			return append(out, challenge{scheme: strings.ToLower(s), params: map[string]string{}})
		}
		c := challenge{scheme: strings.ToLower(s[:i]), params: map[string]string{}}
		s = s[i:]
		// Parameters: name=value or name="quoted", separated by commas, up
		// to the next token not followed by "=" (the next scheme).
		for {
			rest := strings.TrimLeft(s, " \t,")
			eq := strings.IndexByte(rest, '=')
			sp := strings.IndexAny(rest, " \t,")
			if eq <= 0 || (sp >= 0 && sp < eq) {
				s = rest
				break
			}
			name := strings.ToLower(strings.TrimSpace(rest[:eq]))
			rest = strings.TrimLeft(rest[eq+1:], " \t")
			var val string
			if strings.HasPrefix(rest, `"`) {
				val, rest = unquote(rest[1:])
			} else {
				j := strings.IndexAny(rest, " \t,")
				if j < 0 {
					j = len(rest)
				}
				val, rest = rest[:j], rest[j:]
			}
			if _, dup := c.params[name]; !dup {
				c.params[name] = val
			}
			s = rest
		}
		out = append(out, c)
	}
}

// unquote reads a quoted string whose opening quote is consumed, and
// returns its value and what follows the closing quote.
func unquote(s string) (string, string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}
