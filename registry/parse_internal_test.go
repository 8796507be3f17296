package registry

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"2", 2 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRangeStart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"bytes 100-199/200", 100, true},
		{"bytes 0-0/1", 0, true},
		{"bytes */200", 0, false},
		{"bytes -5-10/20", 0, false},
		{"items 1-2/3", 0, false},
		{"", 0, false},
	} {
		got, ok := rangeStart(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("rangeStart(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMirror(t *testing.T) {
	for _, tc := range []struct {
		reg, mirror, wantReg string
		ok                   bool
	}{
		{"ghcr.io", "mirror.internal:5000", "ghcr.io", true},
		{"docker.io", "m:5000", "index.docker.io", true},
		{"registry-1.docker.io", "m", "index.docker.io", true},
		{"index.docker.io", "127.0.0.1:5000", "index.docker.io", true},
		{"ghcr.io", "https://m", "", false},
		{"ghcr.io", "m/path", "", false},
		{"ghcr.io", "", "", false},
		{"", "m", "", false},
		{"ghcr.io", "user@m", "", false},
	} {
		reg, _, err := parseMirror(tc.reg, tc.mirror)
		if (err == nil) != tc.ok || reg != tc.wantReg {
			t.Errorf("parseMirror(%q, %q) = %q, %v; want %q, ok %v", tc.reg, tc.mirror, reg, err, tc.wantReg, tc.ok)
		}
	}
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"2", "Wed, 21 Oct 2015 07:28:00 GMT", "bytes 1-2/3", "ghcr.io", "m:5000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := retryAfter(s, time.Now()); ok && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("retryAfter(%q) = %v", s, d)
		}
		if n, ok := rangeStart(s); ok && n < 0 {
			t.Fatalf("rangeStart(%q) = %d", s, n)
		}
		if reg, m, err := parseMirror(s, s); err == nil && (reg == "" || m == "") {
			t.Fatalf("parseMirror(%q) accepted empty names", s)
		}
	})
}
