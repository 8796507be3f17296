package registrytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Fault is a fault-injecting reverse proxy on 127.0.0.1 in front of a
// registry. Requests that match a rule get the rule's fault instead of (or
// on top of) the registry's answer; the others pass through. It counts the
// requests and the body bytes it served per request path, so a test can
// check e.g. that a resumed download did not fetch a blob twice, and it
// records each request (Requests, Mark, Since).
//
// Unlike the access log of a Server, the record is exact at any moment: a
// request is recorded when it arrives, before it is passed on or answered,
// and its Status when the proxy sends the answer's header, so once a client
// has seen an answer, its request is in the record with its status. No
// Sync is needed. Bytes is the body bytes the proxy has sent so far.
//
// Faults that hold a request (stalls, trickles) end when the client gives
// up or when the test ends, so no test can hang on them.
type Fault struct {
	tb    testing.TB
	srv   *httptest.Server
	proxy *httputil.ReverseProxy
	quit  context.Context // done when the proxy closes
	stop  context.CancelFunc

	mu     sync.Mutex
	rules  []*rule
	served map[string]int64 // body bytes sent, by path
	hits   map[string]int   // requests, by "METHOD path"
	ruled  int              // requests a rule answered
	log    requestLog       // every request, from its arrival
}

type rule struct {
	match Match
	times int // 0: every time
	n     int
	do    Action
}

// NewFault starts a proxy in front of upstream, an "http://host:port" or
// "https://host:port" URL, reached with tr. It is closed by tb.Cleanup.
func NewFault(tb testing.TB, upstream string, tr http.RoundTripper) *Fault {
	tb.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		tb.Fatalf("registrytest: upstream %q: %v", upstream, err)
	}
	f := &Fault{tb: tb, served: map[string]int64{}, hits: map[string]int{}}
	f.quit, f.stop = context.WithCancel(context.Background())
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // redirects and token realms keep naming the proxy
		},
		Transport:     tr,
		FlushInterval: -1,
		ErrorLog:      nil,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

// Close ends held requests and stops the proxy.
func (f *Fault) Close() {
	f.stop()
	f.srv.CloseClientConnections()
	f.srv.Close()
}

// Host is the proxy's "127.0.0.1:PORT".
func (f *Fault) Host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// URL is the proxy's "http://127.0.0.1:PORT".
func (f *Fault) URL() string { return f.srv.URL }

// Transport reaches the proxy.
func (f *Fault) Transport() http.RoundTripper { return f.srv.Client().Transport }

// On makes the next times requests matching m (every one if times is 0)
// get do. Rules are tried in the order added; the first that applies wins.
func (f *Fault) On(m Match, times int, do Action) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{match: m, times: times, do: do})
	return f
}

// Reset removes every rule and forgets the counts and the recorded
// requests. Marks taken before stay valid.
func (f *Fault) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.served, f.hits, f.ruled = nil, map[string]int64{}, map[string]int{}, 0
	f.log.reset()
}

// Faulted is the number of requests a rule answered so far: with a stall
// rule alone, the number of stalled attempts.
func (f *Fault) Faulted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ruled
}

// Served is the number of body bytes the proxy sent for path (e.g.
// "/v2/repo/blobs/sha256:...") so far, faults included.
func (f *Fault) Served(path string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served[path]
}

// Hits is the number of requests with method and path so far.
func (f *Fault) Hits(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method+" "+path]
}

// TotalHits is the number of requests so far.
func (f *Fault) TotalHits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.hits {
		n += v
	}
	return n
}

// Requests returns the requests the proxy received so far (since Reset),
// in the order they arrived.
func (f *Fault) Requests() []Request { return f.log.all() }

// Mark returns a position in the record of requests; Since(mark) returns
// the requests that arrived after it.
func (f *Fault) Mark() int { return f.log.mark() }

// Since returns the requests that arrived after mark (see Mark) and that
// Reset has not forgotten.
func (f *Fault) Since(mark int) []Request { return f.log.since(mark) }

func (f *Fault) serve(w http.ResponseWriter, r *http.Request) {
	pos := f.log.begin(Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		UserAgent: r.UserAgent(),
	})
	f.mu.Lock()
	f.hits[r.Method+" "+r.URL.Path]++
	var do Action
	for _, ru := range f.rules {
		if ru.match(r) && (ru.times == 0 || ru.n < ru.times) {
			ru.n++
			f.ruled++
			do = ru.do
			break
		}
	}
	f.mu.Unlock()
	cw := &countingWriter{ResponseWriter: w, f: f, path: r.URL.Path, pos: pos}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.proxy.ServeHTTP(w, r) })
	if do == nil {
		next.ServeHTTP(cw, r)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(f.quit, cancel)()
	do(cw, r.WithContext(ctx), next)
}

// countingWriter counts the body bytes served for path and completes the
// record at pos of the request it answers.
type countingWriter struct {
	http.ResponseWriter
	f        *Fault
	path     string
	pos      int  // the request's position in f.log
	answered bool // the status is recorded
}

func (w *countingWriter) WriteHeader(code int) {
	w.answer(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.answer(http.StatusOK)
	n, err := w.ResponseWriter.Write(p)
	w.f.mu.Lock()
	w.f.served[w.path] += int64(n)
	w.f.mu.Unlock()
	w.f.log.update(w.pos, func(r *Request) { r.Bytes += int64(n) })
	return n, err
}

// answer records the status of the answer before the client can see it:
// the first final (not 1xx) status.
func (w *countingWriter) answer(code int) {
	if w.answered || code < 200 {
		return
	}
	w.answered = true
	w.f.log.update(w.pos, func(r *Request) { r.Status = code })
}

func (w *countingWriter) Flush() {
	if fl, ok := w.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
