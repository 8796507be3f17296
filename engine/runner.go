package engine

import (
	"context"
	"errors"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/supervisor"
)

// Runner is a [supervisor.ContainerRunner] that opens its engine on first
// use, so a program that never needs an engine never contacts one. An
// engine that opened is kept (close it with [Runner.Close]); one that
// could not be opened is tried again on the next use, so an engine started
// later is found.
//
// Its errors wrap [supervisor.ErrNotApplicable] when there is no engine
// to run in or it cannot run the binary's platform, and say what would
// fix that.
type Runner struct {
	opts []Option
	mu   sync.Mutex
	eng  *Engine
}

// NewRunner returns a Runner that opens its engine with opts (see [Open]).
func NewRunner(opts ...Option) *Runner { return &Runner{opts: opts} }

// Engine opens the engine, or returns the one already open.
func (r *Runner) Engine(ctx context.Context) (*Engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eng != nil {
		return r.eng, nil
	}
	e, err := Open(ctx, r.opts...)
	if err != nil {
		return nil, err
	}
	r.eng = e
	return e, nil
}

// RunBinary runs the binary in the engine as [Engine.RunBinary] does.
func (r *Runner) RunBinary(ctx context.Context, p string, pl v1.Platform, args ...string) ([]byte, error) {
	e, err := r.Engine(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrNoEngine) || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrBadEndpoint) || errors.Is(err, ErrWrongProduct) {
			return nil, &notApplicable{err}
		}
		return nil, err
	}
	return e.RunBinary(ctx, p, pl, args...)
}

// Close closes the engine if one was opened.
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eng == nil {
		return nil
	}
	err := r.eng.Close()
	r.eng = nil
	return err
}

// Probers returns the standard probers ([supervisor.StandardProbers])
// with the engine of kind k (opened with opts on first use) as the
// container runner; with [None], the engine prober reports that no engine
// is used.
func Probers(k Kind, opts ...Option) []supervisor.Prober {
	if k == None {
		return supervisor.StandardProbers(nil)
	}
	return supervisor.StandardProbers(NewRunner(append([]Option{WithKind(k)}, opts...)...))
}
