package resolver

import (
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/supervisor"
)

const (
	// DefaultMaxAge is how long a floating tag's last check stays fresh.
	DefaultMaxAge = 15 * time.Minute

	// DefaultMaxSize is the largest binary extracted, in bytes
	// ([Limits].Binary).
	DefaultMaxSize = 512 << 20

	// DefaultMaxLayerSize bounds the uncompressed bytes read from one layer
	// while searching it ([Limits].Layer): a layer that inflates beyond it
	// is refused as a decompression bomb.
	DefaultMaxLayerSize = 8 << 30

	// DefaultTimeout bounds a whole resolve or pin: every request, retry
	// and wait, the extraction and the version check.
	DefaultTimeout = 10 * time.Minute

	// DefaultMaxInflated bounds the uncompressed bytes read across all the
	// layers searched by one extraction ([Limits].Inflated).
	DefaultMaxInflated = 2 << 30
)

// A PullPolicy says when a resolve may contact the registry.
type PullPolicy int

const (
	// PullIfStale checks a floating tag when its last check is older than
	// the max age, and fetches what is not cached. The default.
	PullIfStale PullPolicy = iota
	// PullAlways checks the tag with the registry on every resolve.
	PullAlways
	// PullNever uses the cache only; a miss is an error matching
	// [ErrNotCached].
	PullNever
)

// ParsePullPolicy parses "if-stale", "always" or "never".
func ParsePullPolicy(s string) (PullPolicy, error) {
	switch s {
	case "if-stale", "":
		return PullIfStale, nil
	case "always":
		return PullAlways, nil
	case "never":
		return PullNever, nil
	}
	return 0, fmt.Errorf("unknown pull policy %q; use always, if-stale or never", s)
}

func (p PullPolicy) String() string {
	return [...]string{"if-stale", "always", "never"}[p]
}

// An Option configures a [Resolver]. Options are checked by [New].
type Option func(*config) error

type config struct {
	platform     v1.Platform
	policy       PullPolicy
	maxAge       time.Duration
	file         string
	maxSize      int64
	maxLayerSize int64
	rng          *compat.Range
	log          *slog.Logger
	insecure     bool
	registry     []registry.Option // the registry client's options, in order
	immutable    func(tag string) bool
	timeout      time.Duration
	maxInflated  int64
	probers      []supervisor.Prober
	imageSource  ImageSource
	local        *engine.Runner // the engine of local images, for imageSource auto or engine
	now          func() time.Time
	progress     func(Progress) // see progress.go
}

func defaults() config {
	return config{
		platform:     v1.Platform{OS: "linux", Architecture: runtime.GOARCH},
		maxAge:       DefaultMaxAge,
		file:         "/openshell-sandbox",
		maxSize:      DefaultMaxSize,
		maxLayerSize: DefaultMaxLayerSize,
		log:          slog.New(slog.DiscardHandler),
		maxInflated:  DefaultMaxInflated,
		immutable:    IsReleaseTag,
		timeout:      DefaultTimeout,
		now:          time.Now,
		probers:      engine.Probers(engine.Auto),
	}
}

// WithPlatform sets the target platform, "os/arch" or "os/arch/variant".
// The default is linux/<GOARCH of this program>: on a Mac with Apple silicon
// that is linux/arm64, the architecture of the container engine's VM. A
// gateway sets it when its engine runs another platform than this program
// was built for.
func WithPlatform(p string) Option {
	return func(c *config) error {
		pl, err := ParsePlatform(p)
		if err != nil {
			return err
		}
		c.platform = pl
		return nil
	}
}

// WithPullPolicy sets when the registry is contacted; see [PullPolicy].
// [PullNever] suits an offline host, [PullAlways] a caller that must see
// a moved tag at once.
func WithPullPolicy(p PullPolicy) Option {
	return func(c *config) error {
		if p < PullIfStale || p > PullNever {
			return fmt.Errorf("unknown pull policy %d", p)
		}
		c.policy = p
		return nil
	}
}

// WithMaxAge sets how long a floating tag's last check stays fresh
// (default [DefaultMaxAge]). Zero means every resolve checks. Lower it to
// notice a moved floating tag sooner, raise it to contact the registry
// less often.
func WithMaxAge(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("max age %v is negative", d)
		}
		c.maxAge = d
		return nil
	}
}

// WithFile sets the binary's absolute path inside the image (default
// "/openshell-sandbox"). The file's base name is also the program name the
// binary prints before its version. Set it for an image that keeps the
// supervisor under another path or name.
func WithFile(p string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/" {
			return fmt.Errorf("binary path %q must be a clean absolute path such as /openshell-sandbox", p)
		}
		c.file = p
		return nil
	}
}

// Limits bound what one extraction reads, in bytes; a zero field keeps its
// default. Whatever goes past a limit is refused ([ErrRefused]).
type Limits struct {
	Binary   int64 // the binary itself (default [DefaultMaxSize])
	Layer    int64 // the uncompressed bytes of one layer searched (default [DefaultMaxLayerSize])
	Inflated int64 // the uncompressed bytes of all the layers searched (default [DefaultMaxInflated])
}

// WithLimits sets the size limits of an extraction (see [Limits]). A
// gateway wants it when its supervisor images are larger than the defaults
// allow, or to refuse big images sooner.
func WithLimits(l Limits) Option {
	return func(c *config) error {
		for _, f := range []struct {
			name string
			n    int64
			dst  *int64
		}{{"binary", l.Binary, &c.maxSize}, {"layer", l.Layer, &c.maxLayerSize}, {"inflated", l.Inflated, &c.maxInflated}} {
			switch {
			case f.n < 0:
				return fmt.Errorf("%s size limit %d is negative", f.name, f.n)
			case f.n > 0:
				*f.dst = f.n
			}
		}
		return nil
	}
}

// WithRange requires the binary's version to be in r. A binary outside the
// range, or whose version is unknown, gives an [*IncompatibleError]. A nil
// range accepts any version. A gateway sets the range of supervisor versions
// it works with, so that no other is ever handed to it.
func WithRange(r *compat.Range) Option {
	return func(c *config) error {
		c.rng = r
		return nil
	}
}

// WithLogger sets where decisions are logged (by default nowhere). Each
// decision is one event whose message is its name; the package
// documentation lists them. Set it to see why a
// resolve did what it did; at debug level each registry request is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		c.log = l
		c.registry = append(c.registry, registry.WithLogger(l))
		return nil
	}
}

// WithInsecure allows plain HTTP to any registry. Without it, plain HTTP is
// used only for registries on loopback addresses. Set it only for a
// registry on a trusted network that serves no TLS.
func WithInsecure(ok bool) Option {
	return func(c *config) error {
		c.insecure = ok
		c.registry = append(c.registry, registry.WithInsecure(ok))
		return nil
	}
}

// withTransport sets the HTTP transport under the resolver's own bounds,
// retries and logging, for tests that inject faults. The default is built
// by package registry: the standard transport's settings (HTTPS_PROXY and
// SSL_CERT_FILE honoured) with the per-request timeouts.
func withTransport(t http.RoundTripper) Option {
	return registryOption(registry.WithTransport(t))
}

// WithKeychain sets where registry credentials come from (default
// authn.DefaultKeychain: the Docker config and its credential helpers,
// honouring DOCKER_CONFIG). Set it when credentials live elsewhere, such as
// a gateway's own secret store.
func WithKeychain(k authn.Keychain) Option {
	return registryOption(registry.WithKeychain(k))
}

// WithMirror makes resolves try mirror, a registry host such as
// "mirror.internal:5000", before registry; several mirrors are tried in the
// order given. The origin is tried last, and any failure of a mirror (wrong
// bytes included) moves on to it. Registry names are normalized: docker.io,
// index.docker.io and registry-1.docker.io are one registry. Both names
// must be host[:port], without scheme or path. A fleet sets it to share a
// pull-through registry cache.
func WithMirror(origin, mirror string) Option {
	return registryOption(registry.WithMirror(origin, mirror))
}

// WithImmutableTags sets which tags are immutable: resolved once and then
// served from the cache without checking. The default is [IsReleaseTag].
// Set it when a registry's tags follow another convention, for example to
// treat every tag as floating.
func WithImmutableTags(f func(tag string) bool) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("nil tag classifier")
		}
		c.immutable = f
		return nil
	}
}

// withRetry sets the backoff between retries of failed registry requests
// (429, 5xx, resets), for tests that cannot wait for the default one.
func withRetry(b remote.Backoff) Option {
	return registryOption(registry.WithRetry(b))
}

// WithProbers sets how a binary's version is learned, in order of
// preference (default [engine.Probers] of [engine.Auto]; see [WithEngine]).
// Set it to learn versions without running anything ([supervisor.BuildInfo],
// [supervisor.ELFString]) or with a prober of one's own.
func WithProbers(p ...supervisor.Prober) Option {
	return func(c *config) error {
		c.probers = p
		return nil
	}
}

var releaseTag = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// IsReleaseTag reports whether tag is a plain release version such as
// "0.0.47" or "v1.2.3", which supctl treats as immutable by default. Every
// other tag ("dev", "latest", "0.0.47-dev.12") floats.
func IsReleaseTag(tag string) bool { return releaseTag.MatchString(tag) }

// withRetryAfterCap sets the longest Retry-After wait honoured (default
// [registry.DefaultRetryAfterCap]), for tests.
func withRetryAfterCap(d time.Duration) Option {
	return registryOption(registry.WithRetryAfterCap(d))
}

// withTimeouts sets the bounds of each registry request, for tests that
// cannot wait for the defaults; zero fields keep their defaults.
func withTimeouts(t registry.Timeouts) Option {
	return registryOption(registry.WithTimeouts(t))
}

// WithTimeout bounds each whole [Resolver.Resolve] and [Resolver.Pin]
// (default [DefaultTimeout]): past it the registry is deemed unreachable
// (stale-if-error applies). Zero means no bound beyond the per-request ones.
// A gateway starting up lowers it to fall back on its cached copy sooner.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("timeout %v is negative", d)
		}
		c.timeout = d
		return nil
	}
}

// registryOption passes o to the resolver's registry client, checked when
// the resolver is built.
func registryOption(o registry.Option) Option {
	return func(c *config) error {
		c.registry = append(c.registry, o)
		return nil
	}
}
