//go:build linux

package bench

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
)

// TestWANForward checks the forwarders of the token realm's WAN case: a
// request to localhost:PORT in the clients' namespace reaches a server in
// the test's own namespace, through a counting proxy in the registry's,
// which counts it after the forwarder's own check. It runs with the report (SUPCTL_BENCH=1), as root.
func TestWANForward(t *testing.T) {
	w := wanNetForTest(t)
	w.relay.SetProfile(wanProfiles[0])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { fmt.Fprint(rw, "hello") })}
	go srv.Serve(ln)
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	p, stop, err := wanForward(w, port, ln.Addr().String(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	out, err := exec.Command("ip", "netns", "exec", w.cli, "curl", "-sS", "http://localhost:"+strconv.Itoa(port)+tokenPath).CombinedOutput()
	if err != nil || string(out) != "hello" {
		t.Fatalf("curl through the forwarder: %q, %v", out, err)
	}
	// wanForward's own check, then curl's.
	if reqs := requestsOf(p.Since(0)); len(reqs) != 2 || reqs[0].Path != "/v2/" || reqs[1].Path != tokenPath {
		t.Errorf("the proxy counted %v, want GET /v2/ (the check) and GET %s", reqs, tokenPath)
	}
}
