//go:build linux

package bench

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// countProxy is a TCP proxy in front of the registry that counts what the
// clients do: the connections they open, the HTTP requests they send on
// them (parsed from the bytes going up, which are forwarded unchanged) and
// the exchanges that were not HTTP (a TLS ClientHello sent to this
// plain-HTTP registry). The answers flow back unparsed (spliced by the
// kernel), so the proxy costs little beyond one extra hop on loopback.
type countProxy struct {
	ln       net.Listener
	upstream string // "127.0.0.1:PORT" of the registry

	mu     sync.Mutex
	events []proxyEvent
	conns  int
	wg     sync.WaitGroup
	open   map[net.Conn]bool
	closed bool

	logf func(format string, args ...any) // if set, says why a connection was dropped; set before use
}

// eventKind is what a proxyEvent records.
type eventKind int

const (
	evConn    eventKind = iota // a connection was accepted
	evRequest                  // an HTTP request's headers arrived
	evNotHTTP                  // a connection's first bytes were not an HTTP request
)

// proxyEvent is one thing a client did, in the order the proxy saw it.
type proxyEvent struct {
	at      time.Time
	kind    eventKind
	conn    int // connection number, from 1
	port    int // the client's TCP port
	request registrytest.Request
}

// newCountProxy serves ln, forwarding every connection to upstream.
func newCountProxy(ln net.Listener, upstream string) *countProxy {
	p := &countProxy{ln: ln, upstream: upstream, open: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	return p
}

// Host is the proxy's "HOST:PORT".
func (p *countProxy) Host() string { return p.ln.Addr().String() }

// Close stops accepting, closes the open connections and waits for the
// proxy's goroutines.
func (p *countProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Mark returns a position in the record for Since.
func (p *countProxy) Mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.events)
}

// Since returns the events after mark.
func (p *countProxy) Since(mark int) []proxyEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxyEvent(nil), p.events[mark:]...)
}

func (p *countProxy) record(e proxyEvent) {
	e.at = time.Now()
	p.mu.Lock()
	p.events = append(p.events, e)
	p.mu.Unlock()
}

func (p *countProxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add && p.closed {
		return false
	}
	if add {
		p.open[c] = true
	} else {
		delete(p.open, c)
	}
	return true
}

func (p *countProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns++
		id := p.conns
		p.mu.Unlock()
		port := 0
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			port = a.Port
		}
		p.record(proxyEvent{kind: evConn, conn: id, port: port})
		p.wg.Go(func() { p.serve(c, id, port) })
	}
}

// serve forwards one connection both ways, parsing the requests going up.
func (p *countProxy) serve(c net.Conn, id, port int) {
	if !p.track(c, true) {
		c.Close()
		return
	}
	defer p.track(c, false)
	defer c.Close()
	up, err := net.DialTimeout("tcp", p.upstream, 10*time.Second)
	if err != nil {
		if p.logf != nil {
			p.logf("count proxy %s: %v", p.Host(), err)
		}
		return
	}
	if !p.track(up, true) {
		up.Close()
		return
	}
	defer p.track(up, false)
	defer up.Close()
	down := make(chan struct{})
	go func() {
		io.Copy(c, up) // spliced: TCP to TCP
		closeWrite(c)
		close(down)
	}()
	br := bufio.NewReaderSize(io.TeeReader(c, up), 64<<10)
	if b, err := br.Peek(1); err == nil && b[0] == 0x16 { // a TLS handshake record
		p.record(proxyEvent{kind: evNotHTTP, conn: id, port: port})
		io.Copy(io.Discard, br)
		closeWrite(up)
		<-down
		return
	}
	for first := true; ; first = false {
		req, err := http.ReadRequest(br)
		if err != nil {
			if first && !errors.Is(err, io.EOF) {
				p.record(proxyEvent{kind: evNotHTTP, conn: id, port: port})
			}
			io.Copy(io.Discard, br) // the tee still forwards what comes
			break
		}
		p.record(proxyEvent{kind: evRequest, conn: id, port: port, request: registrytest.Request{
			Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, UserAgent: req.UserAgent(), Bytes: -1,
		}})
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			io.Copy(io.Discard, br)
			break
		}
	}
	closeWrite(up)
	<-down
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}

// requestsOf returns the HTTP requests among events.
func requestsOf(events []proxyEvent) []registrytest.Request {
	var out []registrytest.Request
	for _, e := range events {
		if e.kind == evRequest {
			out = append(out, e.request)
		}
	}
	return out
}

// beforeBlob is what a client did before it asked for the layer blob.
type beforeBlob struct {
	conns, requests, notHTTP int
	roundTrips               int       // conns + requests + notHTTP: each costs at least one round trip
	blobAt                   time.Time // when the GET of the layer arrived; zero if none did
	blobPort                 int       // the client port it came from
}

// countBeforeBlob counts the events before the first GET of the blob
// layer.
func countBeforeBlob(events []proxyEvent, layer string) beforeBlob {
	var b beforeBlob
	for _, e := range events {
		switch e.kind {
		case evConn:
			b.conns++
		case evNotHTTP:
			b.notHTTP++
		case evRequest:
			rt := e.request.Route()
			if e.request.Method == http.MethodGet && rt.Kind == registrytest.KindBlob && rt.Ref == layer {
				b.blobAt, b.blobPort = e.at, e.port
				b.roundTrips = b.conns + b.requests + b.notHTTP
				return b
			}
			b.requests++
		}
	}
	b.roundTrips = b.conns + b.requests + b.notHTTP
	return b
}

// connsOf counts the connections among events.
func connsOf(events []proxyEvent) int {
	n := 0
	for _, e := range events {
		if e.kind == evConn {
			n++
		}
	}
	return n
}

// portsOf returns the client ports of the connections among events.
func portsOf(events []proxyEvent) []int {
	var out []int
	for _, e := range events {
		if e.kind == evConn {
			out = append(out, e.port)
		}
	}
	return out
}
