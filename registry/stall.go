package registry

import (
	"context"
	"errors"
	"sync/atomic"
)

// stallResumes is how many stalled bodies one operation (a resolve, a pin)
// resumes in all. A stall — headers sent, then no byte for the stall
// timeout — is a strong sign of a broken server, unlike a cut connection:
// a registry that stalls every body fails the operation after two stall
// timeouts, not after every resume of every blob has stalled in turn.
const stallResumes = 1

// stallBudget counts the stalled bodies an operation has resumed; it
// travels in the operation's context, so every blob of the operation, from
// every source, draws on it.
type stallBudget struct{ used atomic.Int32 }

type stallBudgetKey struct{}

// withStallBudget gives the operation of ctx its stall budget.
func withStallBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, stallBudgetKey{}, &stallBudget{})
}

// stalled reports whether err is a body's stall timeout.
func stalled(err error) bool {
	var te *timeoutError
	return errors.As(err, &te) && te.what == "body"
}

// resumeStalled takes one resume of a stalled body from the budget of ctx's
// operation (or from own, the reader's, outside an operation), and reports
// whether there was one left.
func resumeStalled(ctx context.Context, own *stallBudget) bool {
	b, ok := ctx.Value(stallBudgetKey{}).(*stallBudget)
	if !ok {
		b = own
	}
	return b.used.Add(1) <= stallResumes
}
