package registry

import (
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
)

// A schemeChoice is the scheme a registry is spoken to with. It is known
// for a registry reached over HTTPS; for one where plain HTTP is allowed (a
// loopback registry, or any with the insecure option) it is open until the
// first answer: plain HTTP is tried first, and a server that speaks TLS
// moves it to HTTPS. Either way it is then settled for the client's life.
type schemeChoice struct {
	mu      sync.Mutex
	scheme  string
	settled bool
}

// schemeFor returns the client's scheme choice for repo's registry.
func (c *Client) schemeFor(repo name.Repository) *schemeChoice {
	host := repo.RegistryStr()
	c.mu.Lock()
	defer c.mu.Unlock()
	sc, ok := c.schemes[host]
	if !ok {
		sc = &schemeChoice{scheme: repo.Scheme()}
		if sc.scheme == "http" && !c.cfg.insecure && !isLoopback(hostOnly(host)) {
			// Not allowed in plain text (a private address, say): the
			// transport's guard would upgrade every request anyway.
			sc.scheme = "https"
		}
		sc.settled = sc.scheme == "https"
		c.schemes[host] = sc
	}
	return sc
}

func (s *schemeChoice) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scheme
}

func (s *schemeChoice) open() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.settled
}

// settle keeps the scheme in use: an answer came over it.
func (s *schemeChoice) settle() {
	s.mu.Lock()
	s.settled = true
	s.mu.Unlock()
}

// upgrade moves to HTTPS for good.
func (s *schemeChoice) upgrade() {
	s.mu.Lock()
	s.scheme, s.settled = "https", true
	s.mu.Unlock()
}

// speaksTLS reports whether the answer to a plain-HTTP request came from a
// TLS server: Go's and nginx's answer 400 with a message saying so; others
// answer with a TLS alert that is no HTTP response at all.
func speaksTLS(resp *http.Response, err error) bool {
	if err != nil {
		// net/http has no error type for it.
		return strings.Contains(err.Error(), "malformed HTTP response")
	}
	if resp.StatusCode != http.StatusBadRequest {
		return false
	}
	b := make([]byte, 512)
	n, _ := io.ReadFull(resp.Body, b)
	body := string(b[:n])
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(strings.NewReader(body), resp.Body), resp.Body}
	return strings.Contains(body, "HTTP request to an HTTPS server") || strings.Contains(body, "plain HTTP request was sent to HTTPS port")
}
