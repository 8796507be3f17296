package registrytest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestFaultRecords checks that the proxy records each request with its
// status as soon as the client has the answer, with no Sync: passed on,
// answered by a rule, and held until the client gave up.
func TestFaultRecords(t *testing.T) {
	t.Parallel()
	ip := NewInProcess(t)
	f := NewFault(t, ip.URL(), ip.Transport())
	f.On(Path("/v2/busy/manifests/v1"), 1, Status(http.StatusServiceUnavailable))
	f.On(Path("/v2/held/manifests/v1"), 1, StallBeforeHeaders())
	client := &http.Client{Transport: f.Transport()}
	get := func(ctx context.Context, path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", "fault-test")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}

	mark := f.Mark()
	for i := range 20 {
		if err := get(t.Context(), "/v2/?n=1"); err != nil {
			t.Fatal(err)
		}
		got := f.Since(mark)
		if len(got) != i+1 || got[i].String() != "GET /v2/?n=1 200" || got[i].UserAgent != "fault-test" {
			t.Fatalf("after request %d: recorded\n%s", i+1, FormatRequests(got))
		}
	}

	mark = f.Mark()
	if err := get(t.Context(), "/v2/nosuch/manifests/v1"); err != nil {
		t.Fatal(err)
	}
	if err := get(t.Context(), "/v2/busy/manifests/v1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := get(ctx, "/v2/held/manifests/v1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a held request: %v, want the client's deadline", err)
	}
	want := "GET /v2/nosuch/manifests/v1 404\nGET /v2/busy/manifests/v1 503\nGET /v2/held/manifests/v1 0\n"
	if got := FormatRequests(f.Since(mark)); got != want {
		t.Errorf("recorded\n%swant\n%s", got, want)
	}
	if n := f.TotalHits(); n != 23 || len(f.Requests()) != n {
		t.Errorf("%d hits, %d requests recorded; want 23 of each", n, len(f.Requests()))
	}

	f.Reset()
	if err := get(t.Context(), "/v2/"); err != nil {
		t.Fatal(err)
	}
	if got := f.Since(mark); len(got) != 1 || got[0].String() != "GET /v2/ 200" || len(f.Requests()) != 1 {
		t.Errorf("after Reset, since a mark taken before: %v; all: %v", got, f.Requests())
	}
}
