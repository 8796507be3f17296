package registrytest

import (
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Registry is what Server and InProcess have in common, so that a test
// helper can run against either.
type Registry interface {
	Host() string                 // "127.0.0.1:PORT"
	URL() string                  // "http://127.0.0.1:PORT" (https with TLS)
	Transport() http.RoundTripper // a transport that reaches (and trusts) the registry
	Requests() []Request          // requests recorded since the last ResetRequests
	ResetRequests()               // forget the requests recorded so far
	Mark() int                    // a position in the record, for Since
	Since(mark int) []Request     // requests recorded after mark
	Sync()                        // wait until every answered request is recorded
}

var (
	_ Registry = (*Server)(nil)
	_ Registry = (*InProcess)(nil)
)

// InProcess is go-containerregistry's in-memory registry served by an
// httptest.Server on 127.0.0.1, with every request recorded by a middleware.
// It needs no external binary: use it for unit tests, and Server for
// integration tests against a real registry.
type InProcess struct {
	tb       testing.TB
	srv      *httptest.Server
	log      requestLog
	inflight atomic.Int64
	logs     tailBuffer // the registry's own log
}

// NewInProcess starts an in-memory registry over plain HTTP. It is closed by
// tb.Cleanup; the registry's log is logged then if the test failed.
func NewInProcess(tb testing.TB) *InProcess {
	tb.Helper()
	ip := &InProcess{tb: tb}
	ip.logs.max = stderrKeep
	h := registry.New(registry.Logger(log.New(&ip.logs, "", log.LstdFlags)))
	ip.srv = httptest.NewServer(ip.record(h))
	tb.Cleanup(func() {
		ip.srv.Close()
		if tb.Failed() {
			tb.Logf("registrytest: in-process registry log:\n%s", ip.logs.Tail(failureLogBytes))
			tb.Logf("registrytest: recorded requests:\n%s", FormatRequests(ip.log.all()))
		}
	})
	return ip
}

// record wraps h so that each request is recorded once h has returned.
func (ip *InProcess) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip.inflight.Add(1)
		defer ip.inflight.Add(-1)
		rw := &recordingWriter{ResponseWriter: w}
		defer func() {
			path, query := r.URL.Path, r.URL.RawQuery
			if r.RequestURI != "" {
				path, query = splitURI(r.RequestURI)
			}
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			ip.log.add(Request{
				Method:    r.Method,
				Path:      path,
				RawQuery:  query,
				Status:    status,
				Bytes:     rw.bytes,
				UserAgent: r.UserAgent(),
			})
		}()
		h.ServeHTTP(rw, r)
	})
}

type recordingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Host returns "127.0.0.1:PORT".
func (ip *InProcess) Host() string { return strings.TrimPrefix(ip.srv.URL, "http://") }

// URL returns "http://127.0.0.1:PORT".
func (ip *InProcess) URL() string { return ip.srv.URL }

// Transport returns the httptest server's client transport.
func (ip *InProcess) Transport() http.RoundTripper { return ip.srv.Client().Transport }

// Requests returns the requests recorded since the last ResetRequests, in
// the order the handler finished them.
func (ip *InProcess) Requests() []Request { return ip.log.all() }

// ResetRequests forgets the requests recorded so far.
func (ip *InProcess) ResetRequests() { ip.log.reset() }

// Mark returns a position in the record for Since.
func (ip *InProcess) Mark() int { return ip.log.mark() }

// Since returns the requests recorded after mark.
func (ip *InProcess) Since(mark int) []Request { return ip.log.since(mark) }

// Sync waits (at most 10 seconds, then fails the test) until no request is
// being handled. A request is counted as in flight before the handler
// writes any of its response, so once a client has seen a response, Sync
// returns only after that request is recorded.
func (ip *InProcess) Sync() {
	ip.tb.Helper()
	deadline := time.Now().Add(syncTimeout)
	for ip.inflight.Load() != 0 {
		if time.Now().After(deadline) {
			ip.tb.Fatalf("registrytest: Sync: %d requests still in flight after %v", ip.inflight.Load(), syncTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// Close stops the registry now, for tests of an unreachable registry; its
// address then refuses connections.
func (ip *InProcess) Close() { ip.srv.Close() }
