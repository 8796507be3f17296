package registrytest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

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
