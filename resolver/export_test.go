package resolver

import (
	"context"
	"time"
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
		c.sleep = sleep
		return nil
	}
}

// Sources lists the registries a reference is looked up in, in order.
func (r *Resolver) Sources(ref string) ([]string, error) {
	p, err := r.parse(ref)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range r.sources(p) {
		out = append(out, s.ref.Context().RegistryStr())
	}
	return out, nil
}
