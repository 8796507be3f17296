//go:build linux

package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestScenarios checks SUPCTL_BENCH_ONLY: empty selects all, a list only
// those named, an unknown name is an error.
func TestScenarios(t *testing.T) {
	all, err := scenarios("")
	if err != nil || len(all) != len(scenarioNames) {
		t.Fatalf(`scenarios("") = %v, %v; want all of %v`, all, err, scenarioNames)
	}
	some, err := scenarios("token, concurrent")
	if err != nil || len(some) != 2 || !some[scToken] || !some[scConcurrent] {
		t.Fatalf(`scenarios("token, concurrent") = %v, %v`, some, err)
	}
	if _, err := scenarios("token,bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf(`scenarios("token,bogus") = %v; want an error naming it`, err)
	}
}

// TestTokenCounts checks that the requests to the token realm, seen by
// the proxy in front of the token service, are counted apart and, merged
// in time with the registry's, among the round trips before the blob GET.
func TestTokenCounts(t *testing.T) {
	const layer = "sha256:" + "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	req := func(ms, conn int, method, path string) proxyEvent {
		return proxyEvent{at: at(ms), kind: evRequest, conn: conn, request: registrytest.Request{Method: method, Path: path}}
	}
	reg := []proxyEvent{
		{at: at(0), kind: evConn, conn: 1},
		req(1, 1, "GET", "/v2/openshell/supervisor/manifests/bench"), // 401
		req(5, 1, "GET", "/v2/openshell/supervisor/manifests/bench"),
		req(6, 1, "GET", "/v2/openshell/supervisor/manifests/sha256:"+strings.Repeat("1", 64)),
		req(7, 1, "GET", "/v2/openshell/supervisor/blobs/"+layer),
	}
	tok := []proxyEvent{
		{at: at(2), kind: evConn, conn: 1},
		req(3, 1, "GET", tokenPath),
	}
	ev := mergeEvents(reg, tok)
	n := countRequests(requestsOf(ev), layer)
	if n.tokens != 1 || n.other != 0 || n.manifestGets != 3 || n.layerGets != 1 || n.total != 5 {
		t.Errorf("counted %+v; want 1 token request, 3 manifest GETs, 1 layer GET, 5 in all", n)
	}
	b := countBeforeBlob(ev, layer)
	if b.conns != 2 || b.requests != 4 || b.roundTrips != 6 {
		t.Errorf("before the blob GET: %+v; want 2 connections, 4 requests, 6 round trips", b)
	}
	r := &result{name: nameSupctl, reqs: n, before: b, tokens: []int{1, 1, 1}}
	if got := tokenRuns(r); got != "1 in each of 3 runs" {
		t.Errorf("tokenRuns = %q", got)
	}
	if got := reqString(r); !strings.Contains(got, "1 token request") {
		t.Errorf("reqString = %q; want the token request named", got)
	}
	rep := &report{token: []coldCase{{img: image{label: "40 MiB", content: contentRealistic}, profile: "token realm", results: []*result{r}}}}
	md := tokenMarkdown(rep)
	for _, want := range []string{"one token request per operation", "**met**", "Cold pull from a registry behind a token realm", "| 40 MiB realistic, token realm | `supctl pull` |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	r.tokens = []int{1, 2, 1}
	if md := tokenMarkdown(rep); !strings.Contains(md, "1 to 2 over 3 runs") || !strings.Contains(md, "**not met**") {
		t.Errorf("two token requests in a run are not reported as not met:\n%s", md)
	}
}

// tokenMarkdown renders the token realm's targets and table of rep.
func tokenMarkdown(rep *report) string {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	rep.tokenTargets(p)
	rep.tokenTable(p)
	return w.String()
}
