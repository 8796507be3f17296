package compat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		">=0.0.47-0 <0.1.0", "1.0.0 || 2.0.0", ">= v1.0.0+b", "!=1.0.0-rc.1",
		"", "||", "~1.0.0", "1.2", ">=", "1.0.0 | 2.0.0", "<1.0.0||>2.0.0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrBadRange) {
				t.Fatalf("Parse(%q) error %v is not a *ParseError wrapping ErrBadRange", s, err)
			}
			if pe.Offset < 0 || pe.Offset+len(pe.Token) > len(s) || s[pe.Offset:pe.Offset+len(pe.Token)] != pe.Token {
				t.Fatalf("Parse(%q) error %+v: token is not at its offset", s, pe)
			}
			return
		}
		c := r.String()
		again, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, c, err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("Parse(%q) = %+v, but Parse(%q) = %+v", s, r, c, again)
		}
		if again.String() != c {
			t.Fatalf("String is not stable: %q then %q", c, again.String())
		}
	})
}

func FuzzContains(f *testing.F) {
	f.Add(">=0.0.47-0 <0.1.0", "0.0.47-dev.12")
	f.Add(">=0.0.47-0 <0.1.0", "0.0.37-dev.160")
	f.Add("=1.0.0+a", "1.0.0+b")
	f.Add("!=1.0.0 || <0.1.0", "v0.0.1")
	f.Add("1.0.0", "1.0")
	f.Fuzz(func(t *testing.T, rng, v string) {
		r, err := Parse(rng)
		if err != nil {
			return
		}
		ok, err := r.Contains(v)
		if !ValidVersion(v) {
			if ok || !errors.Is(err, ErrBadVersion) {
				t.Fatalf("Contains(%q) = %v, %v for an invalid version", v, ok, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Contains(%q): %v", v, err)
		}
		// Neither a leading "v" nor build metadata changes the answer.
		bare := v
		if bare[0] == 'v' {
			bare = bare[1:]
		}
		variants := []string{bare, "v" + bare}
		if strings.Contains(bare, "+") {
			variants = append(variants, bare[:strings.IndexByte(bare, '+')])
		} else {
			variants = append(variants, bare+"+fuzz.1")
		}
		for _, w := range variants {
			if got, err := r.Contains(w); err != nil || got != ok {
				t.Fatalf("Parse(%q): Contains(%q) = %v but Contains(%q) = %v, %v", rng, v, ok, w, got, err)
			}
		}
		// The canonical form holds the same versions.
		if got, _ := MustParse(r.String()).Contains(v); got != ok {
			t.Fatalf("Parse(%q).Contains(%q) = %v, but the canonical %q says %v", rng, v, ok, r.String(), got)
		}
	})
}
