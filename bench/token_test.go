//go:build linux

package bench

import (
	"context"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
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
// (registrytest's token service, which grants every scope to anyone,
// signed with a key generated for the run) before they may read. PORT is a
// counting proxy in front of the token service, so that the token requests,
// and the connections they need, are counted with the registry's. Across
// the WAN the same realm is served, in the contenders' namespace, by a
// forwarder whose connections cross the link to a counting proxy in the
// registry's namespace (wanRealm).
type tokenBed struct {
	reg    *registrytest.Server
	svc    string      // "127.0.0.1:PORT" of the token service itself
	port   int         // the realm's port
	tokens *countProxy // on 127.0.0.1:port, in front of the token service
	img    image       // as pushed to reg, named by reg's own host
}

// newTokenBed starts the token service, its counting proxy and the
// registry, and pushes idx (whose binary for this platform is bin) to it as
// repo:bench.
func newTokenBed(t *testing.T, repo string, idx v1.ImageIndex, bin []byte, content string) *tokenBed {
	t.Helper()
	ts := registrytest.NewTokenServer(t)
	u, err := url.Parse(ts.Realm())
	if err != nil {
		t.Fatal(err)
	}
	tb := &tokenBed{svc: net.JoinHostPort("127.0.0.1", u.Port())}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tb.tokens = newCountProxy(ln, tb.svc)
	t.Cleanup(tb.tokens.Close)
	tb.port = ln.Addr().(*net.TCPAddr).Port
	tb.reg = registrytest.Start(t, registrytest.Options{Token: ts, TokenRealm: tb.realm()})
	push := func(ctx context.Context, ref string, idx v1.ImageIndex) error {
		return fixture.Push(ctx, ref, idx, remote.WithTransport(tb.reg.Transport()))
	}
	tb.img, err = pushIndex(t.Context(), tb.reg.Host(), tb.reg.URL(), repo, idx, bin, push)
	if err != nil {
		t.Fatal(err)
	}
	tb.img.content = content
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
// loopback, through a counting proxy in front of its registry and the one
// in front of the token service.
func (b *bed) measureToken(tb *tokenBed, rounds int) coldCase {
	b.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.t.Fatal(err)
	}
	p := newCountProxy(ln, tb.reg.Host())
	defer p.Close()
	return b.withProxies(p, tb.tokens, func() coldCase {
		im := tb.img.via(tb.reg.Host(), p.Host())
		return coldCase{img: im, profile: "token realm", results: b.measure(rounds, 1, im.layer, tokenContenders(b.coldProcesses(im, "", false))...)}
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

// wanRealm serves the token bed's realm in the contenders' namespace of w:
// a forwarder on 127.0.0.1:PORT there (the namespace is new: the port is
// free) whose connections cross the link to a counting proxy, returned, in
// the registry's namespace, in front of the token service. stop ends both.
func wanRealm(w *wanNet, tb *tokenBed) (tokens *countProxy, stop func(), err error) {
	ln, err := w.Listen(regAddr + ":0")
	if err != nil {
		return nil, nil, err
	}
	tokens = newCountProxy(ln, tb.svc)
	var fwd net.Listener
	err = inNetns(w.cli, func() error {
		var err error
		fwd, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(tb.port)))
		return err
	})
	if err != nil {
		tokens.Close()
		return nil, nil, err
	}
	f := &forwarder{ln: fwd, dial: func() (c net.Conn, err error) {
		err = inNetns(w.cli, func() error { c, err = net.DialTimeout("tcp", tokens.Host(), 10*time.Second); return err })
		return c, err
	}}
	f.wg.Go(f.accept)
	return tokens, func() { f.Close(); tokens.Close() }, nil
}

// forwarder copies each connection it accepts to a connection dial makes,
// both ways.
type forwarder struct {
	ln   net.Listener
	dial func() (net.Conn, error)
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
