package supervisor

import (
	"context"
	"errors"
	"fmt"

	"github.com/openshell-contrib/supctl/compat"
)

// Prober is one way of learning a binary's version.
//
// Probe returns the version and a nil error only when it is sure. It
// returns an error wrapping [ErrUnknownVersion] when it cannot be sure, and
// one wrapping [ErrNotApplicable] when it cannot work on this host or this
// binary; any other error is a real failure, such as an I/O error or a
// cancelled context.
type Prober interface {
	Probe(ctx context.Context, b Binary) (Version, error)
}

// DefaultProbers returns [Run] with the default timeout, [BuildInfo] and
// [ELFString], in that order: running the binary is the most direct
// answer, and the other two are the fallbacks for binaries this host
// cannot run.
func DefaultProbers() []Prober {
	return []Prober{Run(0), BuildInfo(), ELFString()}
}

// Detect asks each prober in turn (the [DefaultProbers] if none are given)
// for b's version and returns the first sure answer. A prober that reports
// [ErrUnknownVersion] or [ErrNotApplicable] is passed over; if all are,
// Detect returns a Version with [SourceUnknown] and a nil error, since an
// unknown version is a result, not a failure. Any other error from a
// prober, or from ctx, stops Detect and is returned.
func Detect(ctx context.Context, b Binary, probers ...Prober) (Version, error) {
	if len(probers) == 0 {
		probers = DefaultProbers()
	}
	for _, p := range probers {
		if err := ctx.Err(); err != nil {
			return unknown, err
		}
		v, err := p.Probe(ctx, b)
		switch {
		case err == nil:
			if !compat.ValidVersion(v.Version) || v.Source == "" || v.Source == SourceUnknown {
				return unknown, fmt.Errorf("supervisor: prober %T returned %q from %q, which is not a known version", p, v.Version, v.Source)
			}
			return v, nil
		case errors.Is(err, ErrUnknownVersion), errors.Is(err, ErrNotApplicable):
			continue
		default:
			return unknown, err
		}
	}
	return unknown, nil
}
