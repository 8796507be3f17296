package registrytest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

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
