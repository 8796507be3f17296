package registrytest

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The registry (distribution v2.8) writes one line per request to its
// standard output in the Apache "combined" format, for example:
//
//	127.0.0.1 - - [27/Nov/2026:12:37:21 +0000] "HEAD /v2/foo/manifests/latest HTTP/1.1" 404 96 "" "curl/7.88.1"
//
// i.e. remote host, identity ("-"), user name ("-" unless the URL carried
// one), time, the quoted request line, status, bytes written, and the quoted
// referer and user agent. Inside quotes, '"' and '\' are backslash-escaped
// and unprintable characters use Go escapes. The line is written after the
// handler has returned.
var accessLogRE = regexp.MustCompile(
	`^(\S+) \S+ (.*?) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)` +
		`(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?$`)

// parseAccessLogLine parses one access log line. ok is false for lines that
// are not access log lines.
func parseAccessLogLine(line string) (r Request, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	m := accessLogRE.FindStringSubmatch(line)
	if m == nil {
		return Request{}, false
	}
	reqLine := unquoteLog(m[4])
	sp1 := strings.IndexByte(reqLine, ' ')
	sp2 := strings.LastIndexByte(reqLine, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return Request{}, false
	}
	status, err := strconv.Atoi(m[5])
	if err != nil {
		return Request{}, false
	}
	r.Method = reqLine[:sp1]
	r.Path, r.RawQuery = splitURI(reqLine[sp1+1 : sp2])
	r.Status = status
	r.Bytes = -1
	if m[6] != "-" {
		if n, err := strconv.ParseInt(m[6], 10, 64); err == nil {
			r.Bytes = n
		}
	}
	r.UserAgent = unquoteLog(m[8])
	return r, true
}

// unquoteLog undoes the escaping of a quoted access log field (without its
// quotes). The escapes are those of Go string literals; a field that does
// not parse is returned as it is.
func unquoteLog(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		return u
	}
	return s
}

// lineWriter is an io.Writer that calls onLine for each complete line
// written to it (without the newline). It is the registry's stdout.
type lineWriter struct {
	mu     sync.Mutex
	buf    []byte
	onLine func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		w.onLine(line)
	}
	if len(w.buf) == 0 {
		w.buf = nil
	}
	return len(p), nil
}

// tailBuffer is a concurrency-safe io.Writer that keeps (at least) the last
// max bytes written to it; max <= 0 keeps everything.
type tailBuffer struct {
	mu   sync.Mutex
	max  int
	buf  []byte
	lost int64
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	// Trim only when twice over the limit, so trimming costs O(1) per byte.
	if limit := b.max; limit > 0 && len(b.buf) > 2*limit {
		drop := len(b.buf) - limit
		b.lost += int64(drop)
		b.buf = append([]byte(nil), b.buf[drop:]...)
	}
	return len(p), nil
}

// String returns what was kept, noting how much was dropped before it.
func (b *tailBuffer) String() string { return b.Tail(0) }

// Tail is like String but returns at most the last n bytes kept (all when
// n <= 0), starting at a line boundary when it cuts.
func (b *tailBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept, lost := b.buf, b.lost
	if n > 0 && len(kept) > n {
		cut := len(kept) - n
		if i := bytes.IndexByte(kept[cut:], '\n'); i >= 0 && i+1 < n {
			cut += i + 1
		}
		lost += int64(cut)
		kept = kept[cut:]
	}
	if lost > 0 {
		return "[… " + strconv.FormatInt(lost, 10) + " earlier bytes left out …]\n" + string(kept)
	}
	return string(kept)
}
