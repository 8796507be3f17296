package resolver

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// remoteOptions returns the options of every registry call of one resolve.
func (r *Resolver) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(&schemeGuard{next: r.cfg.transport, insecure: r.cfg.insecure}),
		remote.WithAuthFromKeychain(r.cfg.keychain),
		remote.WithRetryBackoff(r.cfg.backoff),
		remote.WithUserAgent("supctl"),
	}
}

// candidates returns where to look for ref: its mirrors, in order, then the
// origin.
func (r *Resolver) candidates(ref name.Reference) []name.Reference {
	var out []name.Reference
	for _, m := range r.cfg.mirrors[ref.Context().RegistryStr()] {
		if mr, err := rebase(ref, m, r.cfg.insecure); err == nil {
			out = append(out, mr)
		}
	}
	return append(out, ref)
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

// head asks the registry what ref points at, trying mirrors first.
func (r *Resolver) head(ctx context.Context, ref name.Reference) (*v1.Descriptor, error) {
	var err error
	for _, c := range r.candidates(ref) {
		var d *v1.Descriptor
		if d, err = remote.Head(c, r.remoteOptions(ctx)...); err == nil {
			return d, nil
		}
		err = classify(c, err)
	}
	return nil, err
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

// classify wraps a registry error with the sentinel that says what it
// means and a hint of what to do.
func classify(ref name.Reference, err error) error {
	// Before anything else: a loopback registry is also tried over plain
	// HTTP, and that attempt's error would hide the real one.
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	if errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) {
		return fmt.Errorf("%s: TLS certificate not trusted (%v); install the registry's CA certificate on this machine", ref, err)
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
			return fmt.Errorf("%s: %w (%v); check the repository and tag", ref, ErrNotFound, err)
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%s: access denied (%v); log in with \"docker login %s\" or check the credentials in your Docker config", ref, err, ref.Context().RegistryStr())
		case te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500:
			return fmt.Errorf("%s: registry failed after retries: %w (%v); try again later or use a mirror", ref, ErrUnreachable, err)
		}
		return fmt.Errorf("%s: %w", ref, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", ref, err)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w (%v); check the network and that the registry is up", ref, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", ref, err)
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
// connection, a timeout, a stream cut short. (Not any error with a Timeout
// method: every syscall.Errno has one, a full disk's included.)
func unreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var te interface{ Timeout() bool }
	return errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &te) && te.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
