package registrytest

import (
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
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
