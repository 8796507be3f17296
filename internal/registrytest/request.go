package registrytest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Request is one HTTP request as recorded by a registry.
type Request struct {
	Method    string // "GET", "HEAD", "PUT", ...
	Path      string // URL path, percent-decoded, without the query, e.g. "/v2/app/blobs/sha256:…"
	RawQuery  string // query string as sent, without the "?"; "" when none
	Status    int    // HTTP status code of the response
	Bytes     int64  // response body bytes written by the registry's handler (for HEAD this can be the size of a body that was never sent); -1 when unknown
	UserAgent string // User-Agent request header; "" when absent
}

// String formats r as "METHOD /path?query STATUS".
func (r Request) String() string {
	p := r.Path
	if r.RawQuery != "" {
		p += "?" + r.RawQuery
	}
	return fmt.Sprintf("%s %s %d", r.Method, p, r.Status)
}

// Kind classifies the path of a request by the registry API endpoint it
// addresses.
type Kind string

// The endpoints of the OCI distribution API that Route recognises.
const (
	KindBase      Kind = "base"      // /v2/
	KindManifest  Kind = "manifest"  // /v2/<repo>/manifests/<tag or digest>
	KindBlob      Kind = "blob"      // /v2/<repo>/blobs/<digest>
	KindUpload    Kind = "upload"    // /v2/<repo>/blobs/uploads/[<session>]
	KindTags      Kind = "tags"      // /v2/<repo>/tags/list
	KindReferrers Kind = "referrers" // /v2/<repo>/referrers/<digest>
	KindCatalog   Kind = "catalog"   // /v2/_catalog
	KindOther     Kind = "other"     // anything else
)

// Route is the parsed path of a request.
type Route struct {
	Kind Kind
	Repo string // repository name, e.g. "library/app"; "" for base, catalog and other
	Ref  string // tag or digest (manifest), digest (blob, referrers), upload session id (upload, "" for the POST that starts one)
}

// Route parses r.Path.
func (r Request) Route() Route { return ParseRoute(r.Path) }

// ParseRoute classifies a registry URL path (without query).
func ParseRoute(path string) Route {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		if path == "/v2" {
			return Route{Kind: KindBase}
		}
		return Route{Kind: KindOther}
	}
	switch rest {
	case "":
		return Route{Kind: KindBase}
	case "_catalog":
		return Route{Kind: KindCatalog}
	}
	segs := strings.Split(rest, "/")
	n := len(segs)
	repo := func(k int) string { return strings.Join(segs[:k], "/") }
	last := segs[n-1]
	switch {
	case n >= 3 && segs[n-2] == "blobs" && last == "uploads":
		// POST /v2/<repo>/blobs/uploads (no trailing slash)
		return Route{Kind: KindUpload, Repo: repo(n - 2)}
	case n >= 4 && segs[n-3] == "blobs" && segs[n-2] == "uploads" && !strings.Contains(last, ":"):
		return Route{Kind: KindUpload, Repo: repo(n - 3), Ref: last}
	case n >= 3 && segs[n-2] == "manifests" && last != "":
		return Route{Kind: KindManifest, Repo: repo(n - 2), Ref: last}
	case n >= 3 && segs[n-2] == "blobs" && last != "":
		return Route{Kind: KindBlob, Repo: repo(n - 2), Ref: last}
	case n >= 3 && segs[n-2] == "tags" && last == "list":
		return Route{Kind: KindTags, Repo: repo(n - 2)}
	case n >= 3 && segs[n-2] == "referrers" && last != "":
		return Route{Kind: KindReferrers, Repo: repo(n - 2), Ref: last}
	}
	return Route{Kind: KindOther}
}

// Count returns how many of reqs satisfy match.
func Count(reqs []Request, match func(Request) bool) int {
	n := 0
	for _, r := range reqs {
		if match(r) {
			n++
		}
	}
	return n
}

// Filter returns the requests of reqs that satisfy match, in order.
func Filter(reqs []Request, match func(Request) bool) []Request {
	var out []Request
	for _, r := range reqs {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

// CountRoute counts the requests with the given method and endpoint kind
// whose Route().Ref is ref, in any repository and with any status. An empty
// method or ref matches any.
func CountRoute(reqs []Request, method string, kind Kind, ref string) int {
	return Count(reqs, func(r Request) bool {
		if method != "" && r.Method != method {
			return false
		}
		rt := r.Route()
		return rt.Kind == kind && (ref == "" || rt.Ref == ref)
	})
}

// CountBlobGets counts GET /v2/<any repo>/blobs/<digest>, whatever the status.
func CountBlobGets(reqs []Request, digest string) int {
	return CountRoute(reqs, http.MethodGet, KindBlob, digest)
}

// CountBlobHeads counts HEAD /v2/<any repo>/blobs/<digest>, whatever the status.
func CountBlobHeads(reqs []Request, digest string) int {
	return CountRoute(reqs, http.MethodHead, KindBlob, digest)
}

// CountManifestGets counts GET /v2/<any repo>/manifests/<ref>, where ref is
// a tag or a digest as the client sent it ("" matches any), whatever the status.
func CountManifestGets(reqs []Request, ref string) int {
	return CountRoute(reqs, http.MethodGet, KindManifest, ref)
}

// CountManifestHeads counts HEAD /v2/<any repo>/manifests/<ref> ("" matches
// any ref), whatever the status.
func CountManifestHeads(reqs []Request, ref string) int {
	return CountRoute(reqs, http.MethodHead, KindManifest, ref)
}

// FormatRequests renders reqs one per line, for failure messages.
func FormatRequests(reqs []Request) string {
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// internalUserAgent marks the requests this package makes itself (readiness
// probes, Sync sentinels). They are never recorded.
const internalUserAgent = "supctl-registrytest-internal"

// requestLog is the race-free record of requests shared by Server,
// InProcess and Fault.
type requestLog struct {
	mu      sync.Mutex
	reqs    []Request
	dropped int                      // records discarded by reset, so marks stay valid
	waiters map[string]chan struct{} // Sync sentinels awaited, by path
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.UserAgent == internalUserAgent {
		if ch, ok := l.waiters[r.Path]; ok {
			close(ch)
			delete(l.waiters, r.Path)
		}
		return
	}
	l.reqs = append(l.reqs, r)
}

// expect registers interest in the internal request for path and returns a
// channel closed once it is recorded.
func (l *requestLog) expect(path string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiters == nil {
		l.waiters = make(map[string]chan struct{})
	}
	ch := make(chan struct{})
	l.waiters[path] = ch
	return ch
}

func (l *requestLog) forget(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.waiters, path)
}

// begin records r as it arrives, Status and Bytes still 0, and returns its
// position for update.
func (l *requestLog) begin(r Request) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
	return l.dropped + len(l.reqs) - 1
}

// update changes the record at position pos (see begin), unless reset has
// forgotten it.
func (l *requestLog) update(pos int, fn func(*Request)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := pos - l.dropped; i >= 0 && i < len(l.reqs) {
		fn(&l.reqs[i])
	}
}

func (l *requestLog) all() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.reqs...)
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropped += len(l.reqs)
	l.reqs = nil
}

func (l *requestLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped + len(l.reqs)
}

func (l *requestLog) since(mark int) []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := mark - l.dropped
	if i < 0 {
		i = 0
	}
	if i > len(l.reqs) {
		i = len(l.reqs)
	}
	return append([]Request(nil), l.reqs[i:]...)
}

// splitURI splits a request URI into its decoded path and raw query.
func splitURI(uri string) (path, rawQuery string) {
	path, rawQuery, _ = strings.Cut(uri, "?")
	if u, err := url.PathUnescape(path); err == nil {
		path = u
	}
	return path, rawQuery
}
