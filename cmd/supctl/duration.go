package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Day and week are the units supctl's durations add to Go's.
const (
	day  = 24 * time.Hour
	week = 7 * day
)

// durationUnits are the units a duration flag takes: Go's, then d and w.
var durationUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": day, "w": week,
}

// parseDuration parses a non-negative duration in Go's syntax
// (time.ParseDuration) extended with the units d (24h) and w (7d): "90m",
// "1.5h", "30d", "2w", "1w2d3h". It refuses negative and overflowing values.
func parseDuration(s string) (time.Duration, error) {
	bad := func(why string) error {
		return fmt.Errorf("%q: %s; want a duration such as 90m, 12h, 30d, 2w or 1w2d (units ns, us, ms, s, m, h, d, w)", s, why)
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, bad("empty")
	}
	if s[0] == '-' {
		return 0, bad("negative")
	}
	rest := strings.TrimPrefix(s, "+")
	if rest == "" {
		return 0, bad("no number")
	}
	var total int64
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		num := rest[:i]
		if num == "" || num == "." || strings.Count(num, ".") > 1 {
			return 0, bad("a unit without a number")
		}
		rest = rest[i:]
		j := 0
		for j < len(rest) && !(rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.') {
			j++
		}
		unit, ok := durationUnits[rest[:j]]
		if !ok {
			if j == 0 {
				return 0, bad("a number without a unit")
			}
			return 0, bad(fmt.Sprintf("unknown unit %q", rest[:j]))
		}
		rest = rest[j:]
		whole, frac, _ := strings.Cut(num, ".")
		if whole == "" {
			whole = "0"
		}
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || w > math.MaxInt64/int64(unit) {
			return 0, bad("too long")
		}
		v := w * int64(unit)
		// The fraction as time.ParseDuration reads it: digits past
		// int64's precision are dropped.
		var f int64
		scale := 1.0
		for _, c := range frac {
			if f > (math.MaxInt64-9)/10 {
				break
			}
			f, scale = f*10+int64(c-'0'), scale*10
		}
		v += int64(float64(f) * (float64(unit) / scale))
		if v < 0 {
			return 0, bad("too long")
		}
		total += v
		if total < 0 {
			return 0, bad("too long")
		}
	}
	return time.Duration(total), nil
}

// formatDuration prints d the way parseDuration reads it, in weeks or days
// when it is a whole number of them.
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// durationValue is a duration flag read by parseDuration.
type durationValue struct{ p *time.Duration }

func (v durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.p = d
	return nil
}

func (v durationValue) String() string {
	if v.p == nil {
		return ""
	}
	return formatDuration(*v.p)
}

func (v durationValue) Type() string { return "duration" }

// durationVar defines a duration flag: Go's syntax plus d and w.
func durationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(durationValue{p}, name, usage)
}
