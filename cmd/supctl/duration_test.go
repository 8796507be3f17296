package main

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"90m", 90 * time.Minute, true},
		{"1.5h", 90 * time.Minute, true},
		{"300ms", 300 * time.Millisecond, true},
		{"2µs", 2 * time.Microsecond, true},
		{"1d", day, true},
		{"30d", 30 * day, true},
		{"1.5d", 36 * time.Hour, true},
		{"2w", 14 * day, true},
		{"1w2d3h", 9*day + 3*time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"+1d", day, true},
		{".5h", 30 * time.Minute, true},
		{"", 0, false},
		{"-1d", 0, false},
		{"-1h", 0, false},
		{"d", 0, false},
		{"1", 0, false},
		{"10", 0, false},
		{"1y", 0, false},
		{"1dd", 0, false},
		{"1..2h", 0, false},
		{".h", 0, false},
		{"1 d", 0, false},
		{"100000000w", 0, false},
		{"9223372036854775807ns1ns", 0, false},
	}
	for _, tc := range tests {
		got, err := parseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", day: "1d", 30 * day: "30d", 2 * week: "2w", time.Hour: "1h0m0s", 36 * time.Hour: "36h0m0s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDurationFlag(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var d time.Duration
	durationVar(fs, &d, "max-age", time.Hour, "")
	if err := fs.Parse([]string{"--max-age", "1w"}); err != nil || d != week {
		t.Fatalf("--max-age 1w: %v, %v", d, err)
	}
	if err := fs.Parse([]string{"--max-age", "soon"}); err == nil {
		t.Fatal("--max-age soon accepted")
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "1w2d3h", "1.5d", "90m", "-1d", "1e3h", "+.5us", "9223372036854775807ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("parseDuration(%q) = %v, negative", s, d)
		}
		if std, err := time.ParseDuration(s); err == nil && std >= 0 && std != d {
			t.Fatalf("parseDuration(%q) = %v, time.ParseDuration says %v", s, d, std)
		}
		back, err := parseDuration(formatDuration(d))
		if err != nil || back != d {
			t.Fatalf("round trip of %q: %v -> %q -> %v, %v", s, d, formatDuration(d), back, err)
		}
	})
}
