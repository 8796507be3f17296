package compat

import (
	"errors"
	"testing"
)

func TestContains(t *testing.T) {
	tests := []struct {
		rng     string
		version string
		want    bool
	}{
		// The incident: a 0.0.47 gateway must refuse a 0.0.37 supervisor.
		{">=0.0.47-0 <0.1.0", "0.0.37-dev.160", false},
		{">=0.0.47-0 <0.1.0", "0.0.47-dev.12", true},
		{">=0.0.47-0 <0.1.0", "0.0.47-dev.13+g57b71c68f", true},
		{">=0.0.47-0 <0.1.0", "v0.0.47-dev.13+g57b71c68f", true},
		{">=0.0.47-0 <0.1.0", "0.0.47", true},
		{">=0.0.47-0 <0.1.0", "0.0.99", true},
		{">=0.0.47-0 <0.1.0", "0.1.0-rc.1", true}, // a prerelease of 0.1.0 precedes 0.1.0
		{">=0.0.47-0 <0.1.0", "0.1.0", false},
		{">=0.0.47 <0.1.0", "0.0.47-dev.12", false},

		{"1.0.0", "1.0.0", true},
		{"1.0.0", "1.0.1", false},
		{"1.0.0", "1.0.0-rc.1", false},
		{"=1.0.0+a", "1.0.0+b", true},
		{"=1.0.0", "1.0.0+b", true},
		{"!=1.0.0", "1.0.0+x", false},
		{"!=1.0.0", "1.0.1", true},
		{"!=1.0.0", "1.0.0-rc.1", true},
		{">1.0.0", "1.0.0", false},
		{">1.0.0", "1.0.1-0", true},
		{">=1.0.0", "1.0.0", true},
		{"<1.0.0", "1.0.0-rc.1", true},
		{"<=1.0.0", "1.0.0+z", true},
		{"<=1.0.0", "1.0.1-0", false},

		{"1.0.0-alpha.1 || 1.0.0-beta.11", "1.0.0-beta.11", true},
		{">=1.0.0-alpha.beta <1.0.0-beta.2", "1.0.0-beta", true},
		{">=1.0.0-alpha.beta <1.0.0-beta.2", "1.0.0-beta.11", false},
		{"<1.0.0 || >=2.0.0 !=2.1.0", "2.1.0", false},
		{"<1.0.0 || >=2.0.0 !=2.1.0", "2.2.0", true},
		{"<1.0.0 || >=2.0.0 !=2.1.0", "0.9.0", true},
		{">=2.0.0 <1.0.0", "1.5.0", false}, // an alternative that holds nothing
	}
	for _, tt := range tests {
		r := MustParse(tt.rng)
		got, err := r.Contains(tt.version)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q).Contains(%q) = %v, %v; want %v, nil", tt.rng, tt.version, got, err, tt.want)
		}
	}
}

func TestContainsBadVersion(t *testing.T) {
	r := MustParse(">=0.0.47-0 <0.1.0")
	for _, v := range []string{"", "0.0", "latest", "0.0.47 ", "0.0.47-dev.012"} {
		ok, err := r.Contains(v)
		if ok || !errors.Is(err, ErrBadVersion) {
			t.Errorf("Contains(%q) = %v, %v; want false and ErrBadVersion", v, ok, err)
		}
	}
}

func TestNilRange(t *testing.T) {
	var r *Range
	if ok, err := r.Contains("1.0.0"); ok || err != nil {
		t.Errorf("nil Range Contains = %v, %v; want false, nil", ok, err)
	}
	if s := r.String(); s != "" {
		t.Errorf("nil Range String = %q", s)
	}
	if ok, err := (&Range{}).Contains("1.0.0"); ok || err != nil {
		t.Errorf("zero Range Contains = %v, %v; want false, nil", ok, err)
	}
}
