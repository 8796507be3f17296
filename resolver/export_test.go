package resolver

import (
	"context"
	"time"

	"github.com/openshell-contrib/supctl/registry"
)

// WithClock sets the resolver's clock, for tests of freshness.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}

// WithSleep sets how the resolver waits between retries, for tests that
// check the waits asked for without taking them.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		c.registry = append(c.registry, registry.WithSleep(sleep))
		return nil
	}
}

// The registry client's bounds, retries and transport are set by tests
// only; package registry documents their defaults.
type Timeouts = registry.Timeouts

var (
	WithTransport     = withTransport
	WithRetry         = withRetry
	WithRetryAfterCap = withRetryAfterCap
	WithTimeouts      = withTimeouts
)

// Sources lists the registries a reference is looked up in, in order.
func (r *Resolver) Sources(ref string) ([]string, error) {
	p, err := r.parse(ref)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range r.reg.Locations(p) {
		out = append(out, s.Ref.Context().RegistryStr())
	}
	return out, nil
}
