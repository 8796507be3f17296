package compat

import (
	"errors"
	"fmt"
)

// ErrBadRange reports a range that does not follow the grammar in the
// package documentation. Every [*ParseError] wraps it.
var ErrBadRange = errors.New("bad range")

// ParseError describes where and why [Parse] rejected a range.
type ParseError struct {
	Input  string // the text given to Parse
	Offset int    // byte offset of Token in Input
	Token  string // the offending text; "" when the input as a whole is at fault
	Msg    string // what is wrong, phrased to follow Token, e.g. "is not an operator (...)"
}

// Error returns a message such as
//
//	bad range ">=0.0.47-0 <0.x": "<0.x" at offset 11 is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)
func (e *ParseError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("bad range %q: %s", e.Input, e.Msg)
	}
	return fmt.Sprintf("bad range %q: %q at offset %d %s", e.Input, e.Token, e.Offset, e.Msg)
}

// Unwrap returns [ErrBadRange].
func (e *ParseError) Unwrap() error { return ErrBadRange }
