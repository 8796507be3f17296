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
// Detect returns a Version with [MethodUnknown] and a nil error, since an
// unknown version is a result, not a failure. Any other error from a
// prober, or from ctx, stops Detect and is returned. [DetectTried] also
// says why each prober passed over could not answer.
func Detect(ctx context.Context, b Binary, probers ...Prober) (Version, error) {
	v, _, err := DetectTried(ctx, b, probers...)
	return v, err
}

// DetectTried is [Detect] that also returns an [Attempt] for every prober
// that could not answer, in order: with an unknown version, they say which
// methods were tried, why each failed and what would fix it.
//
// Of the methods that run the binary ([MethodRun], [MethodEngine]), only
// the first that could run it is asked: a binary that ran and did not
// answer (it hung to the timeout, failed, printed something else) is not
// run again elsewhere, so a hanging --version costs one timeout, not one
// per method. The methods passed over are listed as not applicable.
func DetectTried(ctx context.Context, b Binary, probers ...Prober) (Version, []Attempt, error) {
	if len(probers) == 0 {
		probers = DefaultProbers()
	}
	var tried []Attempt
	ran := Method("") // a method that ran the binary without an answer
	for _, p := range probers {
		if err := ctx.Err(); err != nil {
			return unknown, tried, err
		}
		m := methodOf(p)
		if ran != "" && runsBinary(m) {
			// The same bytes, run again elsewhere, would hang, fail or
			// print the same: one run's timeout is the most a binary costs.
			tried = append(tried, Attempt{Method: m, NotApplicable: true,
				Reason: fmt.Sprintf("not tried: it already ran (%s) without answering", ran)})
			continue
		}
		v, err := p.Probe(ctx, b)
		switch {
		case err == nil:
			if !compat.ValidVersion(v.Version) || v.Method == "" || v.Method == MethodUnknown {
				return unknown, tried, fmt.Errorf("prober %T returned %q from %q, which is not a known version", p, v.Version, v.Method)
			}
			return v, tried, nil
		case errors.Is(err, ErrUnknownVersion), errors.Is(err, ErrNotApplicable):
			tried = append(tried, attempt(m, err, b.Path, b.Platform))
			if runsBinary(m) && !errors.Is(err, ErrNotApplicable) {
				ran = m
			}
		default:
			return unknown, tried, err
		}
	}
	return unknown, tried, nil
}

// methodOf names p's method: its Method() if it has one, else the method
// of this package's probers, else its type.
func methodOf(p Prober) Method {
	if m, ok := p.(interface{ Method() Method }); ok {
		return m.Method()
	}
	switch p.(type) {
	case RunProber, *RunProber:
		return MethodRun
	case engineProber:
		return MethodEngine
	case buildInfoProber:
		return MethodBuildInfo
	case elfStringProber:
		return MethodELFString
	}
	return Method(fmt.Sprintf("%T", p))
}
