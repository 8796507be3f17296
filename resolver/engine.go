package resolver

import (
	"github.com/openshell-contrib/supctl/engine"
)

// WithEngine selects the container engine used to learn a binary's
// version when this host cannot run it confined (default [engine.Auto]):
// the probers become [engine.Probers] of k, opened on first use only.
// [engine.None] uses no engine. [WithProbers] replaces the probers
// altogether, this choice included. A gateway sets it to the engine it
// drives itself ([engine.Docker], [engine.Podman]) or to [engine.None] to
// run nothing in an engine.
func WithEngine(k engine.Kind, opts ...engine.Option) Option {
	return func(c *config) error {
		if _, err := engine.ParseKind(string(k)); err != nil {
			return err
		}
		c.probers = engine.Probers(k, opts...)
		return nil
	}
}
