//go:build linux

package bench

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCountProxy checks what the report counts before the GET of a layer:
// a TLS attempt against the plain-HTTP registry (its connection and its
// exchange), then a connection reused for two requests.
func TestCountProxy(t *testing.T) {
	const layer = "sha256:" + "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := newCountProxy(ln, srv.Listener.Addr().String())
	defer p.Close()
	mark := p.Mark()

	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", p.Host(), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Fatal("a TLS handshake with a plain-HTTP registry succeeded")
	}
	client := &http.Client{Transport: &http.Transport{}}
	for _, path := range []string{"/v2/", "/v2/app/manifests/v1", "/v2/app/blobs/" + layer, "/v2/app/blobs/" + layer} {
		resp, err := client.Get("http://" + p.Host() + path)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "ok" {
			t.Fatalf("GET %s through the proxy: %q, %v", path, b, err)
		}
		resp.Body.Close()
	}
	// The proxy forwards a request's bytes as it reads them and records
	// the request once parsed, so its answer can come back first: wait for
	// the record of the last one (bounded).
	ev := p.Since(mark)
	for deadline := time.Now().Add(5 * time.Second); countRequests(requestsOf(ev), layer).total < 4 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		ev = p.Since(mark)
	}
	got := countBeforeBlob(ev, layer)
	want := beforeBlob{conns: 2, requests: 2, notHTTP: 1, roundTrips: 5}
	if got.conns != want.conns || got.requests != want.requests || got.notHTTP != want.notHTTP || got.roundTrips != want.roundTrips || got.blobAt.IsZero() {
		t.Errorf("before the blob GET: %+v, want %+v and its time", got, want)
	}
	if n := countRequests(requestsOf(ev), layer); n.total != 4 || n.layerGets != 2 || n.base != 1 || n.manifestGets != 1 {
		t.Errorf("requests %+v, want 4: 1 GET /v2/, 1 manifest, 2 of the layer", n)
	}
	if n := connsOf(ev); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestTCPPayloadTo checks the relay's reading of packets: the destination
// port of IPv4 TCP packets with payload, nothing for the others.
func TestTCPPayloadTo(t *testing.T) {
	tcp := func(payload int, proto byte) []byte {
		b := make([]byte, 20+20+payload)
		b[0], b[9] = 0x45, proto
		b[2], b[3] = byte(len(b)>>8), byte(len(b))
		b[20+2], b[20+3] = 0xc3, 0x50 // destination port 50000
		b[20+12] = 5 << 4
		return b
	}
	for _, c := range []struct {
		name string
		pkt  []byte
		port uint16
		ok   bool
	}{
		{"data", tcp(100, 6), 50000, true},
		{"bare ACK", tcp(0, 6), 0, false},
		{"UDP", tcp(100, 17), 0, false},
		{"IPv6", append([]byte{0x60}, tcp(100, 6)[1:]...), 0, false},
		{"truncated", tcp(100, 6)[:30], 0, false},
		{"empty", nil, 0, false},
	} {
		port, ok := tcpPayloadTo(c.pkt)
		if port != c.port || ok != c.ok {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, port, ok, c.port, c.ok)
		}
	}
}

func FuzzTCPPayloadTo(f *testing.F) {
	f.Add([]byte{0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6})
	f.Fuzz(func(t *testing.T, b []byte) { tcpPayloadTo(b) })
}
