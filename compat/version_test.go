package compat

import (
	"errors"
	"strings"
	"testing"
)

func TestValidVersion(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"0.0.47-dev.13+g57b71c68f", true},
		{"v0.0.47-dev.13+g57b71c68f", true},
		{"1.0.0", true},
		{"1.0.0-0", true},
		{"1.0.0-alpha-1.x-y", true},
		{"1.0.0--", true},
		{"1.0.0+build.007", true}, // leading zeros are fine in build metadata
		{"10.200.3000", true},
		{"99999999999999999999.0.0", true},
		{"", false},
		{"v", false},
		{"vv1.0.0", false},
		{"V1.0.0", false},
		{"1", false},
		{"1.2", false},
		{"v1.2", false},
		{"1.2-rc.1", false},
		{"1.2.3.4", false},
		{"1.x.0", false},
		{"01.0.0", false},
		{"1.00.0", false},
		{"1.0.0-", false},
		{"1.0.0+", false},
		{"1.0.0-01", false}, // numeric prerelease identifier with a leading zero
		{"1.0.0-a..b", false},
		{"1.0.0-a+b+c", false},
		{"1.0.0-a_b", false},
		{" 1.0.0", false},
		{"1.0.0 ", false},
		{"-1.0.0", false},
	}
	for _, tt := range tests {
		if got := ValidVersion(tt.v); got != tt.want {
			t.Errorf("ValidVersion(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// ascending lists versions in strictly increasing precedence.
var ascending = []string{
	"0.0.37-dev.160",
	"0.0.47-0",
	"0.0.47-dev.12",
	"0.0.47-dev.13+g57b71c68f",
	"0.0.47",
	"0.1.0",
	"1.0.0-alpha",
	"1.0.0-alpha.1",
	"1.0.0-alpha.beta",
	"1.0.0-beta",
	"1.0.0-beta.2",
	"1.0.0-beta.11",
	"1.0.0-rc.1",
	"1.0.0",
	"1.0.1",
	"1.2.0",
	"1.10.0",
	"2.0.0",
	"10.0.0",
	"99999999999999999999.0.0",
}

func TestCompareOrder(t *testing.T) {
	for i, a := range ascending {
		for j, b := range ascending {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			got, err := Compare(a, b)
			if err != nil || got != want {
				t.Errorf("Compare(%q, %q) = %d, %v; want %d, nil", a, b, got, err, want)
			}
		}
	}
}

func TestCompareEqual(t *testing.T) {
	tests := [][2]string{
		{"1.0.0+a", "1.0.0+b"},
		{"1.0.0+a", "1.0.0"},
		{"v1.0.0", "1.0.0"},
		{"1.0.0-rc.1+x", "v1.0.0-rc.1+y"},
	}
	for _, tt := range tests {
		if got, err := Compare(tt[0], tt[1]); err != nil || got != 0 {
			t.Errorf("Compare(%q, %q) = %d, %v; want 0, nil", tt[0], tt[1], got, err)
		}
	}
}

func TestCompareInvalid(t *testing.T) {
	tests := [][2]string{
		{"1.2", "1.2.0"},
		{"1.0.0", ""},
		{"x", "y"},
	}
	for _, tt := range tests {
		got, err := Compare(tt[0], tt[1])
		if !errors.Is(err, ErrBadVersion) || got != 0 {
			t.Errorf("Compare(%q, %q) = %d, %v; want 0 and ErrBadVersion", tt[0], tt[1], got, err)
		}
	}
}

func TestBadVersionMessage(t *testing.T) {
	_, err := Compare("1.0.0", "1.2")
	if err == nil || !strings.Contains(err.Error(), `"1.2"`) || !strings.Contains(err.Error(), "MAJOR.MINOR.PATCH") {
		t.Errorf("error %v should name the value and the expected form", err)
	}
	_, err = Compare(strings.Repeat("9", 1000), "1.0.0")
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("error for a long value should be cut short, got %d bytes", len(err.Error()))
	}
}
