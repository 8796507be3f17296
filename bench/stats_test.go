package bench

import (
	"fmt"
	"slices"
	"time"
)

// samples are the timings of one contender in one scenario.
type samples []time.Duration

// median returns the middle timing (the mean of the two middle ones for an
// even count), 0 for none.
func (s samples) median() time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	m := len(c) / 2
	if len(c)%2 == 1 {
		return c[m]
	}
	return (c[m-1] + c[m]) / 2
}

// spread formats the fastest and slowest timings.
func (s samples) spread() string {
	if len(s) == 0 {
		return "–"
	}
	return ms(slices.Min(s)) + "–" + ms(slices.Max(s))
}

// ratio is a/b, 0 when b is 0.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// ms formats d in milliseconds with a precision that suits its size.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.2f ms", f)
}

// times formats a ratio.
func times(r float64) string { return fmt.Sprintf("%.2f×", r) }

// mib formats KiB as MiB.
func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// verdict says whether a target is met.
func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}
