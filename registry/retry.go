package registry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// retryTransport retries a request that failed in a way worth retrying —
// 429, 5xx, a refused or reset connection — with exponential
// backoff and jitter, honouring Retry-After up to a cap. The last attempt's
// response or error is returned as it is.
type retryTransport struct {
	next     http.RoundTripper
	backoff  remote.Backoff
	afterCap time.Duration
	sleep    func(ctx context.Context, d time.Duration) error
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout ||
		status == http.StatusInternalServerError || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	canReplay := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	wait := t.backoff.Duration
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.next.RoundTrip(r)
		last := attempt >= t.backoff.Steps || !canReplay || ctx.Err() != nil
		var after time.Duration
		switch {
		case err != nil:
			// A connect that timed out (dropped SYNs) has waited its bound,
			// and a new connection would be dropped alike: no retry. Other
			// timeouts are retried on a new connection (a reused one may have
			// died while idle).
			// A name that does not resolve will not resolve in a second.
			var oe *net.OpError
			var de *net.DNSError
			if last || !unreachable(err) || errors.As(err, &oe) && oe.Op == "dial" && oe.Timeout() || errors.As(err, &de) && de.IsNotFound {
				return nil, err
			}
		case !retryable(resp.StatusCode):
			return resp, nil
		default:
			if a, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if a > t.afterCap {
					drain(resp.Body)
					return nil, &RetryAfterError{Host: req.URL.Host, Status: resp.StatusCode, Wait: a, Cap: t.afterCap}
				}
				after = a
			}
			if last {
				return resp, nil
			}
			drain(resp.Body)
		}
		d := jitter(wait, t.backoff.Jitter)
		if after > d {
			d = after
		}
		if err := t.sleep(ctx, d); err != nil {
			return nil, err
		}
		if t.backoff.Factor > 0 {
			wait = time.Duration(float64(wait) * t.backoff.Factor)
		}
	}
}

// drain reads a little of a response body we will not use, so its
// connection can be reused, and closes it.
func drain(rc io.ReadCloser) {
	io.CopyN(io.Discard, rc, 4<<10)
	rc.Close()
}

func jitter(d time.Duration, j float64) time.Duration {
	if j <= 0 || d <= 0 {
		return d
	}
	return d + time.Duration(rand.Float64()*j*float64(d))
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), 24*time.Hour), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
