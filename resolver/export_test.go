package resolver

import "time"

// WithClock sets the resolver's clock, for tests of freshness.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}
