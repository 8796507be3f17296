package registrytest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// An Action answers a request in place of (or around) the registry, next.
type Action func(w http.ResponseWriter, r *http.Request, next http.Handler)

// hold blocks until the client gives up or the proxy closes.
func hold(r *http.Request) { <-r.Context().Done() }

// StallBeforeHeaders never answers.
func StallBeforeHeaders() Action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) { hold(r) }
}

// StallAfterHeaders sends the registry's status and headers, then no body.
func StallAfterHeaders() Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		copyHeader(w, rec)
		w.WriteHeader(rec.Code)
		w.(http.Flusher).Flush()
		hold(r)
	}
}

// Trickle sends the registry's answer one byte every interval.
func Trickle(interval time.Duration) Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		copyHeader(w, rec)
		w.WriteHeader(rec.Code)
		t := time.NewTicker(interval)
		defer t.Stop()
		for _, b := range rec.Body.Bytes() {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		}
	}
}

// Status answers code with the given headers and an empty body.
func Status(code int, header ...string) Action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// Body answers code with contentType and body.
func Body(code int, contentType, body string) Action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// ResetAfter sends the registry's headers and the first n body bytes,
// then resets the connection.
func ResetAfter(n int) Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		copyHeader(w, rec)
		w.WriteHeader(rec.Code)
		b := rec.Body.Bytes()
		w.Write(b[:min(n, len(b))])
		w.(http.Flusher).Flush()
		reset(w)
	}
}

// Reset resets the connection before answering.
func Reset() Action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) { reset(w) }
}

func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// IgnoreRange passes the request on without its Range header, as a server
// that does not support ranges would.
func IgnoreRange() Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		r.Header.Del("Range")
		next.ServeHTTP(w, r)
	}
}

// DropHeader passes the request on and removes header from the answer.
func DropHeader(header string) Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		copyHeader(w, rec)
		w.Header().Del(header)
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}

// Rewrite passes the request on and changes the answer's body with fn
// (the length follows; the digest header does not).
func Rewrite(fn func([]byte) []byte) Action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := fn(rec.Body.Bytes())
		copyHeader(w, rec)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
	}
}

// Redirect answers 307 to target + the request's path, as a registry
// sending blobs to a CDN does.
func Redirect(target string) Action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		http.Redirect(w, r, target+r.URL.Path+"?sig=secret-token", http.StatusTemporaryRedirect)
	}
}

func copyHeader(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
}
