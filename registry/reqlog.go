package registry

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// logTransport logs every request at debug level when it is done: method,
// URL without credentials or query (signed CDN URLs carry tokens there),
// status, body bytes and duration. Failed requests are logged with their
// error. Headers are never logged: they carry the credentials.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.log.LogAttrs(ctx, slog.LevelDebug, "registry-request", slog.String("method", req.Method), slog.String("url", redact(req.URL)),
			slog.Duration("duration", time.Since(start)), slog.String("err", err.Error()))
		return nil, err
	}
	resp.Body = &loggedBody{rc: resp.Body, t: t, ctx: ctx, req: req, status: resp.StatusCode, start: start}
	return resp, nil
}

// redact returns u without user information, query or fragment.
func redact(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment, c.RawFragment, c.ForceQuery = nil, "", "", "", false
	return c.String()
}

type loggedBody struct {
	rc     io.ReadCloser
	t      *logTransport
	ctx    context.Context
	req    *http.Request
	status int
	start  time.Time
	n      int64
	err    error
	done   bool
}

func (b *loggedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *loggedBody) Close() error {
	err := b.rc.Close()
	if !b.done {
		b.done = true
		attrs := []slog.Attr{slog.String("method", b.req.Method), slog.String("url", redact(b.req.URL)), slog.Int("status", b.status),
			slog.Int64("bytes", b.n), slog.Duration("duration", time.Since(b.start))}
		if b.err != nil {
			attrs = append(attrs, slog.String("err", b.err.Error()))
		}
		b.t.log.LogAttrs(b.ctx, slog.LevelDebug, "registry-request", attrs...)
	}
	return err
}
