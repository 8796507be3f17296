package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/openshell-contrib/supctl/remedy"
)

// A Client talks to registries for the operations of its user: it is
// safe for concurrent use, and its connections are reused across them.
type Client struct {
	cfg config
	rt  http.RoundTripper // every request goes through it

	mu      sync.Mutex
	auths   map[string]*authTransport // by registry and scope
	schemes map[string]*schemeChoice  // by registry
}

// New returns a client configured by opts.
func New(opts ...Option) (*Client, error) {
	cfg := defaults()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("%w", err)
		}
	}
	c := &Client{cfg: cfg, auths: map[string]*authTransport{}, schemes: map[string]*schemeChoice{}}
	c.rt = c.buildTransport()
	return c, nil
}

// buildTransport stacks the transport every registry request goes
// through, outermost first: retries (429, 5xx, resets; Retry-After
// honoured), the debug request log, the per-request bounds (response
// headers, body stalls), the plain-HTTP guard, and the base transport.
func (c *Client) buildTransport() http.RoundTripper {
	to := c.cfg.timeouts.withDefaults()
	base := c.cfg.transport
	if base == nil {
		base = newBaseTransport(to)
	}
	var rt http.RoundTripper = &schemeGuard{next: base, insecure: c.cfg.insecure}
	rt = &boundedTransport{next: rt, header: to.ResponseHeader, stall: to.Stall}
	rt = &logTransport{next: rt, log: c.cfg.log}
	return &retryTransport{next: rt, backoff: c.cfg.backoff, afterCap: c.cfg.retryAfterCap, sleep: c.cfg.sleep}
}

// A Location is one place to get a reference from: a mirror or the origin.
type Location struct {
	Ref    name.Reference // the reference, rebased onto the mirror's host
	Mirror bool
}

// Locations returns where to look for ref: its mirrors, in order, then the
// origin.
func (c *Client) Locations(ref name.Reference) []Location {
	var out []Location
	for _, m := range c.cfg.mirrors[normalRegistry(ref.Context().RegistryStr())] {
		if mr, err := rebase(ref, m, c.cfg.insecure); err == nil {
			out = append(out, Location{Ref: mr, Mirror: true})
		}
	}
	return append(out, Location{Ref: ref})
}

// Each runs try on ref's locations (see [Client.Locations]) until one succeeds,
// and returns the last error, classified (see [Classify]). Every check and
// fetch follows the same rule: any failure of a mirror — unreachable,
// missing, wrong bytes — moves on to the next source, and the origin's
// answer is final. op names the operation in the warning a failed mirror
// logs.
func (c *Client) Each(ctx context.Context, ref name.Reference, op string, try func(repo *Repo, ref name.Reference) error) error {
	var err error
	for _, s := range c.Locations(ref) {
		var repo *Repo
		if repo, err = c.repo(ctx, s.Ref.Context()); err == nil {
			if err = try(repo, s.Ref); err == nil {
				return nil
			}
		}
		err = Classify(ctx, s.Ref, err)
		if !s.Mirror || ctx.Err() != nil {
			return err
		}
		c.cfg.log.Warn("mirror failed; trying the next source", "mirror", s.Ref.Context().RegistryStr(), "op", op, "err", err)
	}
	return err
}

// normalRegistry is the canonical name of a registry host: Docker Hub's
// several names are one.
func normalRegistry(host string) string {
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return name.DefaultRegistry
	}
	return host
}

// parseMirror checks a mirror specification: REGISTRY and MIRROR are host
// names with an optional port, no scheme and no path.
func parseMirror(registry, mirror string) (string, string, error) {
	check := func(what, h string) error {
		if h == "" || strings.Contains(h, "://") || strings.ContainsAny(h, "/ @?#") {
			return &remedy.Error{Err: fmt.Errorf("mirror %s=%s: %s %q must be a registry host[:port] (no scheme, no path)", registry, mirror, what, h),
				Fix: remedy.Remedy{Action: remedy.Insecure, Before: "for plain HTTP, "}}
		}
		if _, err := name.NewRegistry(h, name.StrictValidation); err != nil {
			return fmt.Errorf("mirror %s=%s: %s %q is not a registry host name: %v", registry, mirror, what, h, err)
		}
		return nil
	}
	if err := check("registry", registry); err != nil {
		return "", "", err
	}
	if err := check("mirror", mirror); err != nil {
		return "", "", err
	}
	return normalRegistry(registry), mirror, nil
}

// rebase returns ref with its registry replaced by host.
func rebase(ref name.Reference, host string, insecure bool) (name.Reference, error) {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	repo := host + "/" + ref.Context().RepositoryStr()
	if d, ok := ref.(name.Digest); ok {
		return name.NewDigest(repo+"@"+d.DigestStr(), opts...)
	}
	return name.NewTag(repo+":"+ref.Identifier(), opts...)
}

// Head asks the registry what ref points at, trying mirrors first: one
// HEAD of the manifest (a GET when the registry refuses HEAD or answers it
// without a digest).
func (c *Client) Head(ctx context.Context, ref name.Reference) (*v1.Descriptor, error) {
	var d v1.Descriptor
	err := c.Each(ctx, ref, "check", func(repo *Repo, ref name.Reference) (err error) {
		d, err = repo.Head(ctx, ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// schemeGuard keeps plain HTTP to loopback registries unless insecure is
// set: any other plain-HTTP request is upgraded to HTTPS, whose certificate
// the transport verifies.
type schemeGuard struct {
	next     http.RoundTripper
	insecure bool
}

func (g *schemeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.insecure && !isLoopback(req.URL.Hostname()) {
		req = req.Clone(req.Context())
		req.URL.Scheme = "https"
	}
	return g.next.RoundTrip(req)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Classify wraps a registry error with the sentinel that says what it
// means and a hint of what to do. ctx is the operation's: when it is done,
// the error is its cancellation (or the operation's own timeout, see
// [WithTimeout], which means the registry is too slow: unreachable), not
// the request's. An error already classified is returned as it is.
func Classify(ctx context.Context, ref name.Reference, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		var te *timeoutError
		if cause := context.Cause(ctx); errors.As(cause, &te) {
			return &remedy.Error{Err: fmt.Errorf("%s: %w (%v)", ref, ErrUnreachable, te),
				Fix: remedy.Remedy{Action: remedy.Timeout, Before: "check the network and that the registry is up, or "}}
		}
		return fmt.Errorf("%s: %w", ref, ctx.Err())
	}
	// Already classified (a mirror's or a layer's error passed up).
	for _, s := range []error{ErrNotFound, ErrUnreachable, ErrRefused, ErrDenied} {
		if errors.Is(err, s) {
			return err
		}
	}
	// Before anything else: a loopback registry is also tried over plain
	// HTTP, and that attempt's error would hide the real one.
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	if errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) {
		return fmt.Errorf("%s: TLS certificate not trusted (%v); install the registry's CA certificate on this machine", ref, err)
	}
	var rhe tls.RecordHeaderError
	if errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &rhe) || (errors.Is(err, io.EOF) && ref.Context().Scheme() == "https" && !isLoopback(hostOnly(ref.Context().RegistryStr()))) {
		return &remedy.Error{Err: fmt.Errorf("%s: %w: the TLS handshake failed (%v)", ref, ErrUnreachable, err),
			Fix: remedy.Remedy{Action: remedy.Insecure, Before: "if the registry serves plain HTTP, "}}
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
			return fmt.Errorf("%s: %w (%s); check the repository and tag", ref, ErrNotFound, registrySaid(te))
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%s: %w (%s); log in with \"docker login %s\" or check the credentials in your Docker config", ref, ErrDenied, registrySaid(te), ref.Context().RegistryStr())
		case te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500:
			return &remedy.Error{Err: fmt.Errorf("%s: registry failed after retries: %w (%s)", ref, ErrUnreachable, registrySaid(te)),
				Fix: remedy.Remedy{Action: remedy.Mirror, Before: "try again later or "}}
		}
		return fmt.Errorf("%s: %w", ref, err)
	}
	var se *json.SyntaxError
	var ute *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &ute) {
		return fmt.Errorf("%s: %w", ref, &NotRegistryError{Host: ref.Context().RegistryStr() + " (or its token service)", What: "something that is not JSON (" + err.Error() + ")"})
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w (%v); check the network and that the registry is up", ref, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", ref, err)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func hasCode(te *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range te.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// unreachable reports whether err is a network failure: a refused or reset
// connection, a timeout (dial, headers, a stalled body), a stream cut
// short. (Not any error with a Timeout method: every syscall.Errno has one,
// a full disk's included.)
func unreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var te *timeoutError
	var ne net.Error
	var errno syscall.Errno
	netTimeout := errors.As(err, &ne) && ne.Timeout() && !errors.As(err, &errno)
	return errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &te) || netTimeout ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
