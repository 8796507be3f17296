package resolver

import (
	"fmt"

	"github.com/openshell-contrib/supctl/engine"
)

// ImageSource says where [Resolver.Resolve] takes images from.
type ImageSource string

// The image sources.
const (
	// SourceRegistry: the registry and the cache only (the default). No
	// container engine is contacted to find an image.
	SourceRegistry ImageSource = "registry"
	// SourceEngine: only the container engine's local images, such as
	// one built with "docker build -t openshell/supervisor:dev" and never
	// pushed. An image the engine does not have is not found.
	SourceEngine ImageSource = "engine"
	// SourceAuto: the engine's local image when the engine has the image
	// for the target platform, else the registry. Every resolve costs one
	// local call to the engine.
	SourceAuto ImageSource = "auto"
)

// FromEngine is the [ResolvedFrom] of a result read from the engine's local image.
const FromEngine ResolvedFrom = "engine"

// ParseImageSource parses "auto", "registry" or "engine".
func ParseImageSource(s string) (ImageSource, error) {
	switch v := ImageSource(s); v {
	case SourceAuto, SourceRegistry, SourceEngine:
		return v, nil
	}
	return "", fmt.Errorf("unknown image source %q: want auto, registry or engine", s)
}

// WithImageSource sets where images come from (default [SourceRegistry]).
// For [SourceAuto] and [SourceEngine] the engine is found and opened with
// opts (see [engine.Open]) on first use. Someone who builds the
// supervisor image locally wants it, to test a gateway with that build.
//
// An image read from the engine is identified by its image ID, which the
// engine is asked for on every resolve (a local call), so a rebuilt image
// is picked up at once. Only the binary is read, through a created, never
// started container (see [engine.Engine.ReadFile]); it is checked,
// versioned and recorded like an image from a registry, in the same cache,
// and its record's Source is "engine". The pull policy and max age do not
// apply to it: the engine's image is always current.
func WithImageSource(s ImageSource, opts ...engine.Option) Option {
	return func(c *config) error {
		if _, err := ParseImageSource(string(s)); err != nil {
			return err
		}
		c.imageSource = s
		c.local = nil
		if s != SourceRegistry {
			c.local = engine.NewRunner(opts...)
		}
		return nil
	}
}
