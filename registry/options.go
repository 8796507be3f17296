package registry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// An Option configures a [Client]. Options are checked by [New].
type Option func(*config) error

type config struct {
	insecure      bool
	transport     http.RoundTripper
	keychain      authn.Keychain
	mirrors       map[string][]string
	backoff       remote.Backoff
	retryAfterCap time.Duration
	timeouts      Timeouts
	log           *slog.Logger
	sleep         func(context.Context, time.Duration) error // between retries
}

func defaults() config {
	return config{
		keychain:      authn.DefaultKeychain,
		backoff:       remote.Backoff{Duration: 250 * time.Millisecond, Factor: 3, Jitter: 0.5, Steps: 4},
		retryAfterCap: DefaultRetryAfterCap,
		log:           slog.New(slog.DiscardHandler),
		sleep:         sleepCtx,
	}
}

// WithInsecure allows plain HTTP to any registry. Without it, plain HTTP is
// used only for registries on loopback addresses.
func WithInsecure(ok bool) Option {
	return func(c *config) error {
		c.insecure = ok
		return nil
	}
}

// WithTransport sets the HTTP transport under the client's own bounds,
// retries and logging. The default is built by the client: the standard
// transport's settings (HTTPS_PROXY honoured) with the dial, TLS,
// response-header and idle timeouts of [WithTimeouts].
func WithTransport(t http.RoundTripper) Option {
	return func(c *config) error {
		if t == nil {
			return fmt.Errorf("nil transport")
		}
		c.transport = t
		return nil
	}
}

// WithKeychain sets where registry credentials come from (default
// authn.DefaultKeychain: the Docker config and its credential helpers,
// honouring DOCKER_CONFIG).
func WithKeychain(k authn.Keychain) Option {
	return func(c *config) error {
		if k == nil {
			return fmt.Errorf("nil keychain")
		}
		c.keychain = k
		return nil
	}
}

// WithMirror makes the client try mirror, a registry host such as
// "mirror.internal:5000", before registry; several mirrors are tried in the
// order given. The origin is tried last, and any failure of a mirror (wrong
// bytes included) moves on to it. Registry names are normalized: docker.io,
// index.docker.io and registry-1.docker.io are one registry. Both names
// must be host[:port], without scheme or path.
func WithMirror(registry, mirror string) Option {
	return func(c *config) error {
		registry, mirror, err := parseMirror(registry, mirror)
		if err != nil {
			return err
		}
		if c.mirrors == nil {
			c.mirrors = map[string][]string{}
		}
		c.mirrors[registry] = append(c.mirrors[registry], mirror)
		return nil
	}
}

// WithRetry sets the backoff between retries of failed requests (429,
// 5xx, resets): exponential, with jitter. Steps bounds the attempts. A
// Retry-After header longer than the backoff is honoured, up to
// [WithRetryAfterCap].
func WithRetry(b remote.Backoff) Option {
	return func(c *config) error {
		if b.Steps < 1 {
			return fmt.Errorf("retry steps %d must be at least 1", b.Steps)
		}
		c.backoff = b
		return nil
	}
}

// WithRetryAfterCap sets the longest Retry-After wait honoured (default
// [DefaultRetryAfterCap]). A registry asking for more fails the request at
// once with a [*RetryAfterError] naming the wait it asked for.
func WithRetryAfterCap(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("retry-after cap %v is negative", d)
		}
		c.retryAfterCap = d
		return nil
	}
}

// WithTimeouts sets the bounds of each request; zero fields keep their
// defaults (see [Timeouts]).
func WithTimeouts(t Timeouts) Option {
	return func(c *config) error {
		for _, d := range []time.Duration{t.Dial, t.TLSHandshake, t.ResponseHeader, t.Stall, t.Idle} {
			if d < 0 {
				return fmt.Errorf("timeout %v is negative", d)
			}
		}
		c.timeouts = t
		return nil
	}
}

// WithLogger sets where the client logs (by default nowhere): at debug
// level every request (method, URL without query or credentials, status,
// bytes, duration), at warning level a mirror that failed.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		c.log = l
		return nil
	}
}

// WithSleep sets how the client waits between retries; tests use it to
// check the waits asked for without taking them. nil keeps the default.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		if sleep != nil {
			c.sleep = sleep
		}
		return nil
	}
}
