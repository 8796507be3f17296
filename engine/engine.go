package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moby/moby/client"
)

// DefaultOpenTimeout bounds [Open]'s first exchange with the engine, so a
// dead or black-holed endpoint fails in bounded time.
const DefaultOpenTimeout = 10 * time.Second

// Product is the engine's product.
type Product string

// The products this package tells apart.
const (
	ProductDockerEngine  Product = "Docker Engine"
	ProductDockerDesktop Product = "Docker Desktop"
	ProductPodman        Product = "Podman"
)

// Info is what an engine says about itself.
type Info struct {
	Product    Product `json:"product"`
	Version    string  `json:"version"`     // the product's version, e.g. "20.10.24+dfsg1" or "4.9.3"
	APIVersion string  `json:"api_version"` // the API version this client speaks with it
	OS         string  `json:"os"`          // e.g. "linux"
	Arch       string  `json:"arch"`        // in Go's terms, e.g. "amd64" or "arm64"
	Name       string  `json:"name"`        // the engine host's name, if it says
}

// Platform is the engine's OS/architecture, e.g. "linux/arm64".
func (i Info) Platform() string { return i.OS + "/" + i.Arch }

// Engine is a connection to a container engine that answered.
type Engine struct {
	cli   *client.Client
	ep    Endpoint
	info  Info
	swept atomic.Bool // expired containers of killed processes removed
}

// An Option configures [Open].
type Option func(*config) error

type config struct {
	kind    Kind
	env     *Env
	timeout time.Duration
}

// WithKind selects the engine (default [Auto]).
func WithKind(k Kind) Option {
	return func(c *config) error {
		if _, err := ParseKind(string(k)); err != nil {
			return err
		}
		c.kind = k
		return nil
	}
}

// WithEnv sets the environment discovery reads (default [FromOS]).
func WithEnv(e Env) Option {
	return func(c *config) error { c.env = &e; return nil }
}

// WithOpenTimeout bounds the first exchange (default [DefaultOpenTimeout]).
func WithOpenTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("open timeout %v is not positive", d)
		}
		c.timeout = d
		return nil
	}
}

// Open finds the engine with [Discover], connects, negotiates the API
// version, and asks the engine what it is. Errors wrap [ErrNoEngine],
// [ErrBadEndpoint], [ErrUnreachable] (with the endpoint and how it was
// chosen) or [ErrWrongProduct]. The caller closes the engine.
func Open(ctx context.Context, opts ...Option) (*Engine, error) {
	cfg := config{kind: Auto, timeout: DefaultOpenTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	env := FromOS()
	if cfg.env != nil {
		env = *cfg.env
	}
	ep, err := Discover(cfg.kind, env)
	if err != nil {
		return nil, err
	}
	ep.APIVersion = env.APIVersion
	return connect(ctx, cfg, ep)
}

// OpenEndpoint connects to ep as [Open] would after discovery.
func OpenEndpoint(ctx context.Context, ep Endpoint, opts ...Option) (*Engine, error) {
	cfg := config{kind: Auto, timeout: DefaultOpenTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return connect(ctx, cfg, ep)
}

func connect(ctx context.Context, cfg config, ep Endpoint) (*Engine, error) {
	copts := []client.Opt{client.WithHost(ep.Host), client.WithUserAgent("supctl")}
	if ep.APIVersion != "" {
		copts = append(copts, client.WithAPIVersion(ep.APIVersion))
	}
	if ep.TLS != "" {
		copts = append(copts, client.WithTLSClientConfig(filepath.Join(ep.TLS, "ca.pem"),
			filepath.Join(ep.TLS, "cert.pem"), filepath.Join(ep.TLS, "key.pem")))
	}
	cli, err := client.New(copts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", ep, err, ErrBadEndpoint)
	}
	e := &Engine{cli: cli, ep: ep}
	octx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if err := e.identify(octx); err != nil {
		cli.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if octx.Err() != nil {
			err = fmt.Errorf("no answer within %v", cfg.timeout)
		}
		return nil, &UnreachableError{Endpoint: ep, Err: err, NotEngine: octx.Err() == nil && !client.IsErrConnectionFailed(err)}
	}
	if !cfg.kind.accepts(e.info.Product) {
		cli.Close()
		return nil, &ProductError{Want: cfg.kind, Got: e.info, Endpoint: ep}
	}
	return e, nil
}

// identify negotiates the API version and fills e.info.
func (e *Engine) identify(ctx context.Context) error {
	if _, err := e.cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: e.ep.APIVersion == ""}); err != nil {
		return err
	}
	v, err := e.cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return err
	}
	e.info = Info{Product: ProductDockerEngine, Version: v.Version, APIVersion: e.cli.ClientVersion(), OS: v.Os, Arch: v.Arch}
	for _, c := range v.Components {
		if strings.Contains(strings.ToLower(c.Name), "podman") {
			e.info.Product, e.info.Version = ProductPodman, c.Version
		}
	}
	if e.info.Product != ProductPodman && strings.HasPrefix(v.Platform.Name, "Docker Desktop") {
		e.info.Product = ProductDockerDesktop
	}
	if info, err := e.cli.Info(ctx, client.InfoOptions{}); err == nil {
		e.info.Name = info.Info.Name
		if e.info.Product == ProductDockerEngine && info.Info.OperatingSystem == "Docker Desktop" {
			e.info.Product = ProductDockerDesktop
		}
	}
	return nil
}

// accepts reports whether kind k takes an engine of product p.
func (k Kind) accepts(p Product) bool {
	switch k {
	case Docker:
		return p == ProductDockerEngine || p == ProductDockerDesktop
	case Podman:
		return p == ProductPodman
	}
	return true
}

// Endpoint is where the engine was reached and why.
func (e *Engine) Endpoint() Endpoint { return e.ep }

// Info is what the engine said about itself when it was opened.
func (e *Engine) Info() Info { return e.info }

// Close releases the connection.
func (e *Engine) Close() error { return e.cli.Close() }
