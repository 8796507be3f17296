package bench

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   samples
		want time.Duration
	}{
		{nil, 0},
		{samples{5}, 5},
		{samples{9, 1, 5}, 5},
		{samples{4, 1, 3, 2}, 2}, // (2+3)/2 in integer nanoseconds
		{samples{10, 30, 20, 40}, 25},
	} {
		if got := tc.in.median(); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ms(1234 * time.Millisecond), "1234 ms"},
		{ms(12340 * time.Microsecond), "12.3 ms"},
		{ms(1234 * time.Microsecond), "1.23 ms"},
		{times(ratio(3*time.Second, 2*time.Second)), "1.50×"},
		{times(ratio(time.Second, 0)), "0.00×"},
		{mib(48 * 1024), "48.0 MiB"},
		{samples{3 * time.Millisecond, time.Millisecond}.spread(), "1.00 ms–3.00 ms"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
