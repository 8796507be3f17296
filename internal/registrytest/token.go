package registrytest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TokenServer is a bearer token service for a Server, as ghcr.io and
// Docker Hub have: the registry answers 401 with a challenge naming the
// token service's realm, clients fetch a JSON Web Token there (ES256, with
// its certificate in the x5c header, which the registry checks against the
// root it is configured with) and send it as a bearer token. It grants
// every scope asked for to anyone.
//
// Its Mode can make it misbehave: stall, answer a web page.
type TokenServer struct {
	srv      *httptest.Server
	key      *ecdsa.PrivateKey
	certDER  []byte
	certPath string // the registry's rootcertbundle
	mode     atomic.Int32
	requests atomic.Int64

	quit chan struct{}
}

// TokenMode is how a TokenServer answers.
type TokenMode int32

const (
	TokenOK       TokenMode = iota // tokens
	TokenStall                     // headers, then nothing
	TokenWebPage                   // 200 with an HTML page
	TokenNoAnswer                  // nothing at all
)

// Service and Issuer are the names a TokenServer's tokens carry.
const (
	TokenService = "registrytest"
	TokenIssuer  = "registrytest-token-server"
)

// NewTokenServer starts a token service on 127.0.0.1, closed by tb.Cleanup.
// Pass it in Options.Token.
func NewTokenServer(tb testing.TB) *TokenServer {
	tb.Helper()
	certPEM, keyPEM, err := selfSignedCert()
	if err != nil {
		tb.Fatalf("registrytest: token key: %v", err)
	}
	kb, _ := pem.Decode(keyPEM)
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		tb.Fatalf("registrytest: token key: %v", err)
	}
	cb, _ := pem.Decode(certPEM)
	ts := &TokenServer{key: k.(*ecdsa.PrivateKey), certDER: cb.Bytes, quit: make(chan struct{})}
	ts.certPath = filepath.Join(tb.TempDir(), "token-root.pem")
	if err := os.WriteFile(ts.certPath, certPEM, 0o644); err != nil {
		tb.Fatalf("registrytest: %v", err)
	}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serve))
	tb.Cleanup(func() {
		close(ts.quit)
		ts.srv.CloseClientConnections()
		ts.srv.Close()
	})
	return ts
}

// Realm is the token endpoint's URL. It names the host "localhost", not
// 127.0.0.1: go-containerregistry refuses a realm on a private IP address
// other than the registry's own host and port.
func (ts *TokenServer) Realm() string {
	return "http://localhost:" + ts.srv.URL[strings.LastIndex(ts.srv.URL, ":")+1:] + "/token"
}

// SetMode changes how the server answers from now on.
func (ts *TokenServer) SetMode(m TokenMode) { ts.mode.Store(int32(m)) }

// Requests is the number of token requests so far.
func (ts *TokenServer) Requests() int64 { return ts.requests.Load() }

func (ts *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/token" {
		http.NotFound(w, r)
		return
	}
	ts.requests.Add(1)
	switch TokenMode(ts.mode.Load()) {
	case TokenStall:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		ts.hold(r)
		return
	case TokenNoAnswer:
		ts.hold(r)
		return
	case TokenWebPage:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body>Sign in to continue</body></html>")
		return
	}
	tok, err := ts.token(r.URL.Query()["scope"])
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": 300, "issued_at": time.Now().UTC().Format(time.RFC3339)})
}

func (ts *TokenServer) hold(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-ts.quit:
	}
}

type access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// token signs a JWT granting scopes ("repository:NAME:ACTIONS").
func (ts *TokenServer) token(scopes []string) (string, error) {
	grants := []access{}
	for _, sc := range scopes {
		for _, one := range strings.Split(sc, " ") {
			parts := strings.Split(one, ":")
			if len(parts) < 3 {
				continue
			}
			name := strings.Join(parts[1:len(parts)-1], ":")
			grants = append(grants, access{Type: parts[0], Name: name, Actions: strings.Split(parts[len(parts)-1], ",")})
		}
	}
	jti := make([]byte, 8)
	rand.Read(jti)
	now := time.Now()
	header := map[string]any{"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(ts.certDER)}}
	claims := map[string]any{
		"iss": TokenIssuer, "sub": "anonymous", "aud": TokenService,
		"exp": now.Add(5 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti), "access": grants,
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, ts.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
