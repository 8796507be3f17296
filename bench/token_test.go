//go:build linux

package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// tokenPath is the path of the token realm's requests.
const tokenPath = "/token"

// tokenBed is a second docker-registry, behind a bearer-token realm as
// ghcr.io and Docker Hub are: it answers 401 with a challenge naming the
// realm http://localhost:PORT/token, and the clients fetch a token there
// (registrytest's token service, which grants every scope to anyone, signs
// JWTs with a key generated for the run, and the registry checks them
// against its certificate) before they may read. The contenders name the
// registry localhost:PORT too: oras accepts a realm on a loopback address
// only on the registry's own host name, go-containerregistry none on a
// private IP literal but the registry's own host and port.
//
// On loopback both names are counting proxies, in front of the registry
// and of the token service, so that the token requests and the connections
// they need are counted with the rest. Across the WAN both are forwarders
// in the contenders' namespace whose connections cross the link to
// counting proxies in the registry's namespace (wanForward).
type tokenBed struct {
	reg      *registrytest.Server
	svc      string      // "127.0.0.1:PORT" of the token service itself
	regPort  int         // the port the contenders name the registry by
	port     int         // the realm's port
	regProxy *countProxy // on 127.0.0.1:regPort, in front of reg
	tokens   *countProxy // on 127.0.0.1:port, in front of the token service
	img      image       // as the contenders name it: localhost:regPort/REPO
}

// newTokenBed starts the token service, the registry and their counting
// proxies, and pushes idx (whose binary for this platform is bin) to the
// registry as repo:bench.
func newTokenBed(t *testing.T, repo string, idx v1.ImageIndex, bin []byte, content string) *tokenBed {
	t.Helper()
	ts := registrytest.NewTokenServer(t)
	u, err := url.Parse(ts.Realm())
	if err != nil {
		t.Fatal(err)
	}
	tb := &tokenBed{svc: net.JoinHostPort("127.0.0.1", u.Port())}
	listen := func() (net.Listener, int) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln, ln.Addr().(*net.TCPAddr).Port
	}
	ln, port := listen()
	tb.tokens, tb.port = newCountProxy(ln, tb.svc), port
	t.Cleanup(tb.tokens.Close)
	tb.reg = registrytest.Start(t, registrytest.Options{Token: ts, TokenRealm: tb.realm()})
	ln, port = listen()
	tb.regProxy, tb.regPort = newCountProxy(ln, tb.reg.Host()), port
	t.Cleanup(tb.regProxy.Close)
	push := func(ctx context.Context, ref string, idx v1.ImageIndex) error {
		return fixture.Push(ctx, ref, idx, remote.WithTransport(tb.reg.Transport()))
	}
	img, err := pushIndex(t.Context(), tb.reg.Host(), tb.reg.URL(), repo, idx, bin, push)
	if err != nil {
		t.Fatal(err)
	}
	img.content = content
	tb.img = img.via(tb.reg.Host(), "localhost:"+strconv.Itoa(tb.regPort))
	tb.reg.Sync()
	return tb
}

// realm is the token realm the registry names.
func (tb *tokenBed) realm() string {
	return "http://localhost:" + strconv.Itoa(tb.port) + tokenPath
}

// tokenContenders are the contenders that can read from a registry behind
// a token realm: the limit and curl GET the blob without a token.
func tokenContenders(cs []contender) []contender {
	return slices.DeleteFunc(cs, func(c contender) bool {
		return !slices.Contains([]string{nameRegctl, nameCrane, nameOras, nameSupctl}, c.name)
	})
}

// measureToken measures the cold pulls of the token bed's image on
// loopback.
func (b *bed) measureToken(tb *tokenBed, rounds int) coldCase {
	b.t.Helper()
	return b.withProxies(tb.regProxy, tb.tokens, func() coldCase {
		return coldCase{img: tb.img, profile: "token realm", results: b.measure(rounds, 1, tb.img.layer, tokenContenders(b.coldProcesses(tb.img, "", false))...)}
	})
}

// withProxies runs f with the contenders' registry behind p and the token
// service behind tokens.
func (b *bed) withProxies(p, tokens *countProxy, f func() coldCase) coldCase {
	saved, savedTokens := b.proxy, b.tokens
	b.proxy, b.tokens = p, tokens
	defer func() { b.proxy, b.tokens = saved, savedTokens }()
	return f()
}

// wanForward serves 127.0.0.1:port in the contenders' namespace of w (new:
// the port is free) by a forwarder whose connections cross the link to a
// counting proxy, returned, in the registry's namespace, in front of
// upstream. stop ends both; logf says why a connection was dropped.
func wanForward(w *wanNet, port int, upstream string, logf func(format string, args ...any)) (p *countProxy, stop func(), err error) {
	ln, err := w.Listen(regAddr + ":0")
	if err != nil {
		return nil, nil, err
	}
	p = newCountProxy(ln, upstream)
	p.logf = logf
	var fwd net.Listener
	err = inNetns(w.cli, func() error {
		var err error
		fwd, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		return err
	})
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	f := &forwarder{ln: fwd, logf: logf, dial: func() (c net.Conn, err error) {
		err = inNetns(w.cli, func() error { c, err = net.DialTimeout("tcp", p.Host(), 10*time.Second); return err })
		return c, err
	}}
	f.wg.Go(f.accept)
	stop = func() { f.Close(); p.Close() }
	if err := checkForward(w, port); err != nil {
		stop()
		return nil, nil, err
	}
	return p, stop, nil
}

// checkForward sends one HTTP request to 127.0.0.1:port in the contenders'
// namespace of w and reads the status line of the answer.
func checkForward(w *wanNet, port int) error {
	var c net.Conn
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	err := inNetns(w.cli, func() (err error) { c, err = net.DialTimeout("tcp", addr, 10*time.Second); return err })
	if err != nil {
		return fmt.Errorf("checking the forwarder %s: %w", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return fmt.Errorf("checking the forwarder %s: %w", addr, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 ") {
		return fmt.Errorf("checking the forwarder %s: answered %q, %v", addr, line, err)
	}
	return nil
}

// forwarder copies each connection it accepts to a connection dial makes,
// both ways.
type forwarder struct {
	ln   net.Listener
	dial func() (net.Conn, error)
	logf func(format string, args ...any) // says why a connection was dropped
	wg   sync.WaitGroup

	mu     sync.Mutex
	open   map[net.Conn]bool
	closed bool
}

func (f *forwarder) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Go(func() { f.serve(c) })
	}
}

func (f *forwarder) track(cs ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.open == nil {
		f.open = map[net.Conn]bool{}
	}
	for _, c := range cs {
		f.open[c] = true
	}
	return true
}

func (f *forwarder) untrack(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		delete(f.open, c)
	}
}

func (f *forwarder) serve(c net.Conn) {
	defer c.Close()
	up, err := f.dial()
	if err != nil {
		f.logf("forwarder: %v", err)
		return
	}
	defer up.Close()
	if !f.track(c, up) {
		return
	}
	defer f.untrack(c, up)
	done := make(chan struct{})
	go func() {
		io.Copy(c, up)
		closeWrite(c)
		close(done)
	}()
	io.Copy(up, c)
	closeWrite(up)
	<-done
}

// Close stops accepting, closes the open connections and waits.
func (f *forwarder) Close() {
	f.ln.Close()
	f.mu.Lock()
	f.closed = true
	for c := range f.open {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// mergeEvents merges the events of two proxies in the order they were
// seen.
func mergeEvents(a, b []proxyEvent) []proxyEvent {
	out := append(slices.Clip(a), b...)
	slices.SortStableFunc(out, func(x, y proxyEvent) int { return x.at.Compare(y.at) })
	return out
}
