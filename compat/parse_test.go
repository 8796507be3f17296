package compat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in, canonical string
	}{
		{">=0.0.47-0 <0.1.0", ">=0.0.47-0 <0.1.0"},
		{"  >=0.0.47-0\t<0.1.0\n", ">=0.0.47-0 <0.1.0"},
		{">= 0.0.47-0 < 0.1.0", ">=0.0.47-0 <0.1.0"},
		{"1.0.0", "1.0.0"},
		{"=1.0.0", "1.0.0"},
		{"= v1.0.0", "1.0.0"},
		{"v1.0.0+build.1", "1.0.0+build.1"},
		{"!=1.0.0", "!=1.0.0"},
		{">1.0.0 <=2.0.0", ">1.0.0 <=2.0.0"},
		{"1.0.0||2.0.0", "1.0.0 || 2.0.0"},
		{"1.0.0 || >=2.0.0 <3.0.0 || 4.0.0-rc.1", "1.0.0 || >=2.0.0 <3.0.0 || 4.0.0-rc.1"},
		{">=1.0.0 >=1.0.0", ">=1.0.0 >=1.0.0"},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := r.String(); got != tt.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.canonical)
		}
		again, err := Parse(r.String())
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", r.String(), again, err, r)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		token  string
		msg    string
	}{
		{"", 0, "", msgEmpty},
		{" \t\n", 0, "", msgEmpty},
		{">=0.0.47-0 <0.x", 11, "<0.x", msgBadVersion},
		{"1.2", 0, "1.2", msgBadVersion},
		{"1", 0, "1", msgBadVersion},
		{"*", 0, "*", msgBadVersion},
		{"1.x.0", 0, "1.x.0", msgBadVersion},
		{">= 01.0.0", 0, ">= 01.0.0", msgBadVersion},
		{">=1.0.0<2.0.0", 0, ">=1.0.0<2.0.0", msgBadVersion},
		{"~1.0.0", 0, "~", msgBadOp},
		{"^1.0.0", 0, "^", msgBadOp},
		{"1.0.0 =>1.0.0", 6, "=>", msgBadOp},
		{"==1.0.0", 0, "==", msgBadOp},
		{"<>1.0.0", 0, "<>", msgBadOp},
		{">=", 0, ">=", msgNoVersion},
		{"1.0.0 >= ", 6, ">=", msgNoVersion},
		{"<|| 1.0.0", 0, "<", msgNoVersion},
		{"|| 1.0.0", 0, "||", msgOrBefore},
		{"1.0.0 ||", 6, "||", msgOrAfter},
		{"1.0.0 || ", 6, "||", msgOrAfter},
		{"1.0.0 || || 2.0.0", 9, "||", msgOrBefore},
		{"1.0.0 | 2.0.0", 6, "|", msgSinglePipe},
		{"1.0.0 ||| 2.0.0", 8, "|", msgSinglePipe},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, %v; want *ParseError", tt.in, r, err)
			continue
		}
		if !errors.Is(err, ErrBadRange) {
			t.Errorf("Parse(%q): %v does not wrap ErrBadRange", tt.in, err)
		}
		want := ParseError{Input: tt.in, Offset: tt.offset, Token: tt.token, Msg: tt.msg}
		if *pe != want {
			t.Errorf("Parse(%q) error = %+v, want %+v", tt.in, *pe, want)
		}
		if tt.token != "" && !strings.HasPrefix(tt.in[tt.offset:], tt.token) {
			t.Errorf("test case %q: token %q is not at offset %d", tt.in, tt.token, tt.offset)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse(">=0.0.47-0 <0.x")
	want := `bad range ">=0.0.47-0 <0.x": "<0.x" at offset 11 is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	_, err = Parse("")
	want = `bad range "": is empty (want comparators such as >=0.0.47-0 <0.1.0)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse(">=1.0.0").String(); got != ">=1.0.0" {
		t.Errorf("MustParse(>=1.0.0).String() = %q", got)
	}
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, ErrBadRange) {
			t.Errorf("MustParse(~1.0.0) panicked with %v, want an ErrBadRange error", err)
		}
	}()
	MustParse("~1.0.0")
}
