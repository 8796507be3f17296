package registrytest

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// RequireEnv is the environment variable that, set to "1", turns the skip
// of Start when the docker-registry binary is missing into a test failure.
const RequireEnv = "SUPCTL_REQUIRE_REGISTRY"

// registryBinary is looked up in PATH first; registryBinaryFallback is where
// Debian's docker-registry package installs it. A variable so that the tests
// of this package can pretend it is absent.
var (
	registryBinary         = "docker-registry"
	registryBinaryFallback = "/usr/bin/docker-registry"
)

const (
	startTimeout    = 10 * time.Second // until GET /v2/ answers
	syncTimeout     = 10 * time.Second // for one Sync sentinel to be logged
	stopTimeout     = 5 * time.Second  // after SIGTERM, before SIGKILL
	startAttempts   = 5                // ports tried when the chosen one is taken meanwhile
	stderrKeep      = 1 << 20          // bytes of the registry's stderr kept (Stderr)
	failureLogBytes = 32 << 10         // bytes of it logged when the test failed
)

// Options configure a Server.
type Options struct {
	// Htpasswd, when not empty, makes the registry require HTTP basic
	// authentication against these users (user name -> password), stored
	// bcrypt-hashed in an htpasswd file. User names must not contain ':'.
	Htpasswd map[string]string
	// TLS makes the registry serve HTTPS with a self-signed certificate for
	// 127.0.0.1 generated for this server. Clients trust it through
	// Transport, CertPool or CertPEM.
	TLS bool
	// Token, when set, makes the registry require bearer tokens from this
	// token service (see TokenServer). Not with Htpasswd.
	Token *TokenServer
	// TokenRealm, when set with Token, is the realm the registry's
	// challenges name instead of Token.Realm(): the address of a proxy in
	// front of the token service, say.
	TokenRealm string
	// ProxyRemote, when set (a URL such as "http://127.0.0.1:5000"), runs
	// the registry as a pull-through cache of that registry: a mirror.
	ProxyRemote string
}

// Server is a real docker-registry process started for one test. Its
// methods are safe for concurrent use, except that Sync, like the methods of
// testing.TB that it calls on failure, belongs on the test's goroutine.
type Server struct {
	tb      testing.TB
	opts    Options
	bin     string
	dir     string
	dataDir string
	scheme  string
	host    string
	certPEM []byte
	pool    *x509.CertPool
	tr      *http.Transport
	proc    *process // the running registry, once Start succeeded

	log      requestLog
	stdout   lineWriter
	stderr   tailBuffer
	unparsed tailBuffer // stdout lines that are not access log lines
	syncSeq  atomic.Int64
}

type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited and its output is read
	err    error         // cmd.Wait's result, valid once exited is closed
}

// Start starts a docker-registry (distribution v2.8) listening on a free
// port of 127.0.0.1, with its configuration and filesystem storage in a
// temporary directory, and returns once GET /v2/ answers (200, or 401 with
// Htpasswd). The process is stopped and its files removed by tb.Cleanup;
// when the test failed, the registry's stderr is logged then.
//
// When the binary is not installed (looked up in PATH, then at
// /usr/bin/docker-registry), Start skips the test, or fails it when the
// environment variable SUPCTL_REQUIRE_REGISTRY is "1".
func Start(tb testing.TB, o Options) *Server {
	tb.Helper()
	bin := findRegistryBinary()
	if bin == "" {
		const msg = "registrytest: the docker-registry binary (Debian package docker-registry) is not installed"
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%s, and %s=1 requires it", msg, RequireEnv)
		}
		tb.Skipf("%s: skipping (install it, or set %s=1 to make this a failure)", msg, RequireEnv)
	}
	s := &Server{tb: tb, opts: o, bin: bin, dir: tb.TempDir(), scheme: "http"}
	s.dataDir = filepath.Join(s.dir, "data")
	s.stderr.max = stderrKeep
	s.unparsed.max = 64 << 10
	s.stdout.onLine = s.onStdoutLine
	if err := s.prepare(o); err != nil {
		tb.Fatalf("registrytest: %v", err)
	}
	tb.Cleanup(s.stop)

	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var retry bool
		if retry, err = s.launch(); err == nil || !retry {
			break
		}
	}
	if err != nil {
		tb.Fatalf("registrytest: starting %s: %v (its stderr is logged below)", bin, err)
	}
	return s
}

func findRegistryBinary() string {
	if p, err := exec.LookPath(registryBinary); err == nil {
		return p
	}
	if st, err := os.Stat(registryBinaryFallback); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return registryBinaryFallback
	}
	return ""
}

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
		certPEM, keyPEM, err := selfSignedCert()
		if err != nil {
			return fmt.Errorf("generating TLS certificate: %w", err)
		}
		if err := os.WriteFile(filepath.Join(s.dir, "cert.pem"), certPEM, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(s.dir, "key.pem"), keyPEM, 0o600); err != nil {
			return err
		}
		s.certPEM = certPEM
		s.pool = x509.NewCertPool()
		if !s.pool.AppendCertsFromPEM(certPEM) {
			return errors.New("generated certificate does not parse")
		}
		s.tr.TLSClientConfig = &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
		s.scheme = "https"
	}
	if len(o.Htpasswd) > 0 {
		users := make([]string, 0, len(o.Htpasswd))
		for u := range o.Htpasswd {
			if u == "" || strings.ContainsAny(u, ":\r\n") {
				return fmt.Errorf("htpasswd user name %q: must be non-empty, without ':' or line breaks", u)
			}
			users = append(users, u)
		}
		sort.Strings(users)
		var b strings.Builder
		for _, u := range users {
			hash, err := bcrypt.GenerateFromPassword([]byte(o.Htpasswd[u]), bcrypt.MinCost)
			if err != nil {
				return fmt.Errorf("hashing the password of %q: %w", u, err)
			}
			fmt.Fprintf(&b, "%s:%s\n", u, hash)
		}
		if err := os.WriteFile(filepath.Join(s.dir, "htpasswd"), []byte(b.String()), 0o600); err != nil {
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

// launch starts the registry on a fresh free port and waits until it is
// ready. retry is true when it failed because the port was taken meanwhile.
func (s *Server) launch() (retry bool, err error) {
	port, err := pickPort()
	if err != nil {
		return false, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cfg, err := s.config(addr)
	if err != nil {
		return false, err
	}
	cfgPath := filepath.Join(s.dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return false, err
	}
	s.host = addr

	cmd := exec.Command(s.bin, "serve", cfgPath)
	cmd.Dir = s.dir
	cmd.Env = registryEnv()
	cmd.Stdout = &s.stdout
	cmd.Stderr = &s.stderr
	cmd.WaitDelay = stopTimeout
	setProcAttr(cmd)
	marker := fmt.Sprintf("--- registrytest: %s serve (%s) ---\n", s.bin, addr)
	_, _ = io.WriteString(&s.stderr, marker)
	if err := cmd.Start(); err != nil {
		return false, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()

	err = s.waitReady(p)
	if err == nil {
		// Also proves that this very process answers (not some other one
		// that took the port) and that its access log parses.
		err = s.syncOnce(p)
	}
	if err == nil {
		s.proc = p
		return false, nil
	}
	select {
	case <-p.exited:
		out := s.stderr.String()
		if i := strings.LastIndex(out, marker); i >= 0 {
			out = out[i:]
		}
		return strings.Contains(out, "address already in use"), err
	default:
		s.kill(p)
		return false, err
	}
}

// pickPort chooses the port to try; a variable so that a test can hand out
// a taken one.
var pickPort = freePort

// freePort returns a port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// registryEnv is this process's environment without REGISTRY_* variables,
// which distribution would take as overrides of its configuration.
func registryEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			env = append(env, kv)
		}
	}
	return env
}

func (s *Server) waitReady(p *process) error {
	deadline := time.Now().Add(startTimeout)
	var last error
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("docker-registry exited before it was ready: %v", p.err)
		default:
		}
		code, err := s.internalGet("/v2/")
		switch {
		case err != nil:
			last = err
		case code == http.StatusOK || code == http.StatusUnauthorized:
			return nil
		default:
			last = fmt.Errorf("GET /v2/ answered %d", code)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %v: %v", startTimeout, last)
		}
		select {
		case <-p.exited:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// internalGet makes an unauthenticated GET that is not recorded.
func (s *Server) internalGet(path string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", internalUserAgent)
	resp, err := (&http.Client{Transport: s.tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (s *Server) onStdoutLine(line string) {
	if r, ok := parseAccessLogLine(line); ok {
		s.log.add(r)
		return
	}
	if strings.TrimSpace(line) != "" {
		_, _ = io.WriteString(&s.unparsed, line+"\n")
	}
}

// Sync waits until the requests this server has answered so far are
// recorded, so that Requests and Since see them all. Call it after the
// operation under test and before counting its requests.
//
// The registry writes a request's access log line after it has sent the
// response, so a client can see a response complete a moment before its
// line is read. Sync sends a sentinel request (GET /v2/_registrytest-sync-N,
// which is not recorded) and waits until its line arrives; it does so twice,
// so that any request the client saw complete before Sync was called has
// had two further round trips to be logged. Sync fails the test if a
// sentinel is not logged within 10 seconds or the registry has exited.
func (s *Server) Sync() {
	s.tb.Helper()
	for range 2 {
		if err := s.syncOnce(s.proc); err != nil {
			s.tb.Fatalf("registrytest: Sync: %v", err)
		}
	}
}

func (s *Server) syncOnce(p *process) error {
	path := fmt.Sprintf("/v2/_registrytest-sync-%d", s.syncSeq.Add(1))
	seen := s.log.expect(path)
	defer s.log.forget(path)
	if _, err := s.internalGet(path); err != nil {
		return err
	}
	timer := time.NewTimer(syncTimeout)
	defer timer.Stop()
	select {
	case <-seen:
		return nil
	case <-p.exited:
		return fmt.Errorf("docker-registry exited: %v", p.err)
	case <-timer.C:
		return fmt.Errorf("the access log line of GET %s did not arrive within %v", path, syncTimeout)
	}
}

func (s *Server) stop() {
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
	if p := s.proc; p != nil {
		select {
		case <-p.exited:
			s.tb.Errorf("registrytest: docker-registry exited during the test: %v", p.err)
		default:
			s.kill(p)
		}
	}
	if s.tb.Failed() {
		s.tb.Logf("registrytest: docker-registry stderr (its end):\n%s", s.stderr.Tail(failureLogBytes))
		if u := s.unparsed.String(); u != "" {
			s.tb.Logf("registrytest: docker-registry stdout lines that are not access log lines:\n%s", u)
		}
		s.tb.Logf("registrytest: recorded requests:\n%s", FormatRequests(s.log.all()))
	}
}

func (s *Server) kill(p *process) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Host returns "127.0.0.1:PORT", the registry part of image references.
func (s *Server) Host() string { return s.host }

// URL returns "http://127.0.0.1:PORT", or "https://…" with TLS.
func (s *Server) URL() string { return s.scheme + "://" + s.host }

// CertPool returns a pool holding the server's self-signed certificate, or
// nil without TLS.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// CertPEM returns the server's self-signed certificate, PEM-encoded (it is
// also its CA certificate), or nil without TLS.
func (s *Server) CertPEM() []byte { return s.certPEM }

// Transport returns the HTTP transport to reach the server with: it trusts
// the server's certificate with TLS and never uses a proxy. It is shared;
// do not modify it.
func (s *Server) Transport() http.RoundTripper { return s.tr }

// DataDir returns the registry's storage root directory
// (docker/registry/v2/... below it), e.g. to corrupt a blob on disk.
func (s *Server) DataDir() string { return s.dataDir }

// Stderr returns what the registry has written to its stderr (its
// application log) so far, or the last MiB of it.
func (s *Server) Stderr() string { return s.stderr.String() }

// Requests returns the requests recorded so far (since ResetRequests), in
// the order their log lines arrived, which is the order in which the
// registry finished them. See Sync.
func (s *Server) Requests() []Request { return s.log.all() }

// ResetRequests forgets the requests recorded so far. Marks taken before
// stay valid.
func (s *Server) ResetRequests() { s.log.reset() }

// Mark returns a position in the request record; Since(mark) returns the
// requests recorded after it.
func (s *Server) Mark() int { return s.log.mark() }

// Since returns the requests recorded after mark (see Mark) that
// ResetRequests has not forgotten.
func (s *Server) Since(mark int) []Request { return s.log.since(mark) }
