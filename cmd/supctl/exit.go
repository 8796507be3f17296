package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/resolver"
)

// Exit codes, as the CLI contract gives them.
const (
	exitOK           = 0
	exitFailure      = 1
	exitUsage        = 2
	exitIncompatible = 3
	exitNotFound     = 4
	exitUnreachable  = 5
	exitCorrupt      = 6
	exitInterrupted  = 130
)

// errInterrupted is the error of a command stopped by a signal.
var errInterrupted = errors.New("interrupted")

// exitError carries an exit code chosen by a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string    { return e.err.Error() }
func (e *exitError) Unwrap() error    { return e.err }
func (e *exitError) ExitCode() int    { return e.code }
func usageErr(err error) error        { return &exitError{code: exitUsage, err: err} }
func usagef(f string, a ...any) error { return usageErr(fmt.Errorf(f, a...)) }

// exitCode maps an error to the exit code the contract gives it.
func exitCode(err error) int {
	var ee interface{ ExitCode() int }
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.ExitCode()
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, resolver.ErrBadReference):
		return exitUsage
	case errors.Is(err, resolver.ErrIncompatible):
		return exitIncompatible
	case errors.Is(err, resolver.ErrNotFound):
		return exitNotFound
	case errors.Is(err, resolver.ErrUnreachable), errors.Is(err, cache.ErrNotCached):
		return exitUnreachable
	}
	return exitFailure
}
