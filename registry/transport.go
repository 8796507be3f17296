package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Bounds on registry requests. Every request — the /v2/ ping, token
// exchanges, manifest checks and fetches, blob downloads and their
// redirects — is bounded by them; see [WithTimeouts], and [Bound] for a
// whole operation.
const (
	// DefaultDialTimeout bounds opening a TCP connection.
	DefaultDialTimeout = 10 * time.Second
	// DefaultTLSHandshakeTimeout bounds the TLS handshake.
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// DefaultResponseHeaderTimeout bounds the wait for a response's
	// headers, from the start of the request (connecting included).
	DefaultResponseHeaderTimeout = 30 * time.Second
	// DefaultStallTimeout is how long a response body may send no bytes
	// before the request fails: a registry that stalls or trickles less
	// than a byte per stall timeout fails the request.
	DefaultStallTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long an idle connection is kept for reuse.
	DefaultIdleTimeout = 90 * time.Second
	// DefaultRetryAfterCap is the longest Retry-After wait honoured; a
	// registry asking for more fails the request, naming the wait.
	DefaultRetryAfterCap = 30 * time.Second
)

// Timeouts bound each registry request; a zero field keeps its default.
type Timeouts struct {
	Dial           time.Duration // [DefaultDialTimeout]
	TLSHandshake   time.Duration // [DefaultTLSHandshakeTimeout]
	ResponseHeader time.Duration // [DefaultResponseHeaderTimeout]
	Stall          time.Duration // [DefaultStallTimeout]
	Idle           time.Duration // [DefaultIdleTimeout]
}

func (t Timeouts) withDefaults() Timeouts {
	or := func(d, def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	return Timeouts{
		Dial:           or(t.Dial, DefaultDialTimeout),
		TLSHandshake:   or(t.TLSHandshake, DefaultTLSHandshakeTimeout),
		ResponseHeader: or(t.ResponseHeader, DefaultResponseHeaderTimeout),
		Stall:          or(t.Stall, DefaultStallTimeout),
		Idle:           or(t.Idle, DefaultIdleTimeout),
	}
}

// newBaseTransport is the transport a resolver uses when given none: the
// standard one's settings (HTTPS_PROXY and friends honoured), with every
// phase bounded.
func newBaseTransport(t Timeouts) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       t.Idle,
		TLSHandshakeTimeout:   t.TLSHandshake,
		ResponseHeaderTimeout: t.ResponseHeader,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// timeoutError is a request that took too long: no response headers in
// time, a body that stalled, or a whole operation over its bound. It is a
// network failure: [ErrUnreachable] once classified.
type timeoutError struct {
	what string // "headers", "body" or "operation"
	d    time.Duration
}

func (e *timeoutError) Error() string {
	switch e.what {
	case "body":
		return fmt.Sprintf("the registry sent no bytes for %v (stall timeout)", e.d)
	case "headers":
		return fmt.Sprintf("the registry did not answer within %v (response header timeout)", e.d)
	}
	return fmt.Sprintf("the operation did not finish within its timeout of %v", e.d)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// boundedTransport bounds every request of next, whatever next is: the
// response headers must arrive within header, and the body may go at most
// stall without a byte. Either failure is a [*timeoutError].
type boundedTransport struct {
	next          http.RoundTripper
	header, stall time.Duration
}

func (b *boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	headerErr := &timeoutError{what: "headers", d: b.header}
	timer := time.AfterFunc(b.header, func() { cancel(headerErr) })
	resp, err := b.next.RoundTrip(req.WithContext(ctx))
	timer.Stop()
	if err != nil {
		if errors.Is(context.Cause(ctx), headerErr) && req.Context().Err() == nil {
			err = headerErr
		}
		cancel(nil)
		return nil, err
	}
	if req.Context().Err() == nil && errors.Is(context.Cause(ctx), headerErr) {
		resp.Body.Close()
		cancel(nil)
		return nil, headerErr
	}
	if req.URL.Path == "/v2/" && isWebPage(resp) {
		// A web server, not a registry: its 404 page would read as "not
		// found", its 200 page as a registry without authentication.
		resp.Body.Close()
		cancel(nil)
		return nil, &NotRegistryError{Host: req.URL.Host, What: "a web page"}
	}
	sb := &stallBody{rc: resp.Body, ctx: ctx, parent: req.Context(), cancel: cancel, err: &timeoutError{what: "body", d: b.stall}, d: b.stall}
	sb.timer = time.AfterFunc(b.stall, func() { cancel(sb.err) })
	sb.timer.Stop() // runs only while a Read waits
	resp.Body = sb
	if req.URL.Path == "/v2/" {
		// The ping's body means nothing, but the client drains it to reuse
		// the connection: an endless one must not hold the resolve.
		resp.Body = &cappedBody{ReadCloser: sb, left: maxPingBody}
	}
	return resp, nil
}

// maxPingBody is the most read of a /v2/ answer's body.
const maxPingBody = 64 << 10

// cappedBody ends a body after left bytes.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	return n, err
}

// stallBody fails a body that sends nothing for d while it is read: its
// timer, running only while a Read waits (a slow consumer is not a stalled
// server), cancels the request, which ends the read.
type stallBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	parent context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	err    *timeoutError
	d      time.Duration
}

func (s *stallBody) Read(p []byte) (int, error) {
	s.timer.Reset(s.d)
	n, err := s.rc.Read(p)
	s.timer.Stop()
	if err != nil && err != io.EOF && s.parent.Err() == nil && errors.Is(context.Cause(s.ctx), s.err) {
		err = s.err
	}
	return n, err
}

func (s *stallBody) Close() error {
	s.timer.Stop()
	err := s.rc.Close()
	s.cancel(nil)
	return err
}

// Bound bounds one whole operation — a resolve, a pin — by d. Its expiry
// has a timeout as its cause, which [Classify] reports as [ErrUnreachable]
// (the registry was too slow), unlike a cancellation by the caller. d of
// zero or less means no bound. The operation also gets its budget of
// stalled bodies to resume (one, across all its blobs and sources: see
// stallResumes), so a registry that stalls every body fails it within
// two stall timeouts.
func Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx = withStallBudget(ctx)
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &timeoutError{what: "operation", d: d})
}
