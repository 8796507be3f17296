package registrytest

// The registry's configuration: what Start writes before the first launch
// (storage, client transport, certificate, htpasswd file) and the
// config.yml that each launch renders for its listen address.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// prepare writes what does not depend on the port: storage directory,
// certificate, htpasswd file, and builds the client transport.
func (s *Server) prepare(o Options) error {
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return err
	}
	s.tr = &http.Transport{
		Proxy:                 nil, // never send 127.0.0.1 traffic through a proxy
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	if o.TLS {
		if err := s.writeCert(); err != nil {
			return err
		}
	}
	if len(o.Htpasswd) > 0 {
		if err := writeHtpasswd(filepath.Join(s.dir, "htpasswd"), o.Htpasswd); err != nil {
			return err
		}
	}
	return nil
}

// config renders the registry's configuration for the given listen address.
func (s *Server) config(addr string) (string, error) {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	q := func(v string) string { // a JSON string is a valid YAML double-quoted scalar
		j, _ := json.Marshal(v)
		return string(j)
	}
	var b strings.Builder
	b.WriteString("version: 0.1\n")
	b.WriteString("log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n")
	fmt.Fprintf(&b, "storage:\n  filesystem:\n    rootdirectory: %s\n", q(s.dataDir))
	b.WriteString("  delete:\n    enabled: true\n")
	b.WriteString("  maintenance:\n    uploadpurging:\n      enabled: false\n")
	fmt.Fprintf(&b, "http:\n  addr: %s\n  secret: %s\n", q(addr), q(hex.EncodeToString(secret)))
	b.WriteString("  headers:\n    X-Content-Type-Options: [nosniff]\n")
	if s.certPEM != nil {
		fmt.Fprintf(&b, "  tls:\n    certificate: %s\n    key: %s\n",
			q(filepath.Join(s.dir, "cert.pem")), q(filepath.Join(s.dir, "key.pem")))
	}
	if _, err := os.Stat(filepath.Join(s.dir, "htpasswd")); err == nil {
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: %s\n    path: %s\n",
			q("registrytest"), q(filepath.Join(s.dir, "htpasswd")))
	}
	if t := s.opts.Token; t != nil {
		realm := t.Realm()
		if s.opts.TokenRealm != "" {
			realm = s.opts.TokenRealm
		}
		fmt.Fprintf(&b, "auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			q(realm), q(TokenService), q(TokenIssuer), q(t.certPath))
	}
	if s.opts.ProxyRemote != "" {
		fmt.Fprintf(&b, "proxy:\n  remoteurl: %s\n", q(s.opts.ProxyRemote))
	}
	// No redis, notifications or health checks: none is configured, so
	// none runs.
	return b.String(), nil
}
