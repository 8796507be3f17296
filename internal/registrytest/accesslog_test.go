package registrytest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestParseAccessLogLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Request
		ok   bool
	}{
		// Lines as docker-registry 2.8.2 writes them.
		{`127.0.0.1 - - [27/Nov/2026:12:37:21 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"`,
			Request{Method: "GET", Path: "/v2/", Status: 200, Bytes: 2, UserAgent: "curl/7.88.1"}, true},
		{`127.0.0.1 - - [27/Nov/2026:12:37:21 +0000] "HEAD /v2/foo/manifests/latest HTTP/1.1" 404 96 "" "curl/7.88.1"`,
			Request{Method: "HEAD", Path: "/v2/foo/manifests/latest", Status: 404, Bytes: 96, UserAgent: "curl/7.88.1"}, true},
		{`127.0.0.1 - - [27/Nov/2026:12:37:21 +0000] "GET /v2/_x?a=b%20c HTTP/1.1" 404 19 "" "curl/7.88.1"`,
			Request{Method: "GET", Path: "/v2/_x", RawQuery: "a=b%20c", Status: 404, Bytes: 19, UserAgent: "curl/7.88.1"}, true},
		// Percent-encoded digest colon, HTTP/2, a user name, escapes in the user agent.
		{`::1 - alice [01/Jan/2026:00:00:00 +0100] "GET /v2/a/b/blobs/sha256%3Aabc HTTP/2.0" 307 0 "http://x/" "go \"quoted\" \\ agent"`,
			Request{Method: "GET", Path: "/v2/a/b/blobs/sha256:abc", Status: 307, Bytes: 0, UserAgent: `go "quoted" \ agent`}, true},
		// Common format (no referer/user agent), size "-".
		{`10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "PUT /v2/x/blobs/uploads/u1?digest=sha256:12 HTTP/1.1" 201 -`,
			Request{Method: "PUT", Path: "/v2/x/blobs/uploads/u1", RawQuery: "digest=sha256:12", Status: 201, Bytes: -1}, true},
		{`time="2026-11-27T12:37:20Z" level=info msg="listening on 127.0.0.1:5999"`, Request{}, false},
		{``, Request{}, false},
		{`127.0.0.1 - - [x] "GARBAGE" 200 1 "" ""`, Request{}, false},
	} {
		got, ok := parseAccessLogLine(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseAccessLogLine(%q)\n got %+v, %v\nwant %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRoute(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Route
	}{
		{"/v2/", Route{Kind: KindBase}},
		{"/v2", Route{Kind: KindBase}},
		{"/v2/_catalog", Route{Kind: KindCatalog}},
		{"/v2/app/manifests/v1", Route{KindManifest, "app", "v1"}},
		{"/v2/library/app/manifests/sha256:ab", Route{KindManifest, "library/app", "sha256:ab"}},
		{"/v2/a/b/c/blobs/sha256:ab", Route{KindBlob, "a/b/c", "sha256:ab"}},
		{"/v2/app/blobs/uploads/", Route{KindUpload, "app", ""}},
		{"/v2/app/blobs/uploads", Route{KindUpload, "app", ""}},
		{"/v2/app/blobs/uploads/5d2f-77", Route{KindUpload, "app", "5d2f-77"}},
		{"/v2/x/blobs/uploads/blobs/sha256:ab", Route{KindBlob, "x/blobs/uploads", "sha256:ab"}},
		{"/v2/app/tags/list", Route{KindTags, "app", ""}},
		{"/v2/app/referrers/sha256:ab", Route{KindReferrers, "app", "sha256:ab"}},
		{"/v2/_registrytest-sync-1", Route{Kind: KindOther}},
		{"/v2/manifests/x", Route{Kind: KindOther}},
		{"/", Route{Kind: KindOther}},
	} {
		if got := ParseRoute(tc.path); got != tc.want {
			t.Errorf("ParseRoute(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}

func TestCounting(t *testing.T) {
	reqs := []Request{
		{Method: "GET", Path: "/v2/a/blobs/sha256:1", Status: 200},
		{Method: "GET", Path: "/v2/b/blobs/sha256:1", Status: 404},
		{Method: "HEAD", Path: "/v2/a/blobs/sha256:1", Status: 200},
		{Method: "GET", Path: "/v2/a/blobs/sha256:2", Status: 200},
		{Method: "GET", Path: "/v2/a/manifests/v1", Status: 200},
		{Method: "HEAD", Path: "/v2/a/manifests/v1", Status: 200},
		{Method: "HEAD", Path: "/v2/a/manifests/v2", Status: 200},
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"blob gets 1", CountBlobGets(reqs, "sha256:1"), 2},
		{"blob gets 2", CountBlobGets(reqs, "sha256:2"), 1},
		{"blob heads 1", CountBlobHeads(reqs, "sha256:1"), 1},
		{"manifest gets v1", CountManifestGets(reqs, "v1"), 1},
		{"manifest heads any", CountManifestHeads(reqs, ""), 2},
		{"any blob", CountRoute(reqs, "", KindBlob, ""), 4},
		{"404s", Count(reqs, func(r Request) bool { return r.Status == 404 }), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if got := FormatRequests(reqs[:1]); got != "GET /v2/a/blobs/sha256:1 200\n" {
		t.Errorf("FormatRequests: %q", got)
	}
}

func TestRequestLogConcurrent(t *testing.T) {
	var l requestLog
	w := &lineWriter{onLine: func(line string) {
		if r, ok := parseAccessLogLine(line); ok {
			l.add(r)
		}
	}}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				line := fmt.Sprintf("127.0.0.1 - - [t] \"GET /v2/r%d/blobs/sha256:%d HTTP/1.1\" 200 1 \"\" \"ua\"\n", g, i)
				// Written in two pieces, as a pipe may deliver it.
				mu.Lock()
				_, _ = w.Write([]byte(line[:10]))
				_, _ = w.Write([]byte(line[10:]))
				mu.Unlock()
			}
		}()
	}
	for range 50 {
		_ = l.all()
		_ = l.since(l.mark())
	}
	wg.Wait()
	if n := len(l.all()); n != 400 {
		t.Errorf("%d requests, want 400", n)
	}
	m := l.mark()
	l.reset()
	l.add(Request{Method: "GET", Path: "/v2/"})
	if got := l.since(m); len(got) != 1 || l.mark() != m+1 || len(l.since(0)) != 1 {
		t.Errorf("after reset: since %v, mark %d", got, l.mark())
	}
}

// mu serialises the writers of TestRequestLogConcurrent, as the single
// stdout pipe does.
var mu sync.Mutex

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 10}
	for i := range 100 {
		fmt.Fprintf(b, "%02d\n", i)
	}
	s := b.String()
	if !strings.HasPrefix(s, "[… ") || !strings.HasSuffix(s, "98\n99\n") {
		t.Errorf("tail: %q", s)
	}
	if got := b.Tail(7); got != "[… "+fmt.Sprint(300-6)+" earlier bytes left out …]\n98\n99\n" {
		t.Errorf("Tail(7): %q", got)
	}
	var small tailBuffer
	_, _ = small.Write(bytes.Repeat([]byte("x"), 3))
	if small.String() != "xxx" {
		t.Errorf("unbounded: %q", small.String())
	}
}
