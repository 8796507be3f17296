package supervisor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/openshell-contrib/supctl/compat"
)

// chunkSize is how many bytes the ELF string scan reads at a time. Tests
// shrink it to put markers across chunk boundaries.
var chunkSize = 64 << 10

// maxVersionLen bounds the run of version bytes after a marker; a longer
// run is not taken as a version.
const maxVersionLen = 256

// maxFound bounds how many distinct versions a scan remembers.
const maxFound = 8

// versionScan finds "<marker><version>" in streams of bytes, reading them
// in chunks, and collects the distinct versions in the order found.
type versionScan struct {
	marker []byte // name + " "
	chunk  int
	found  []string
	win    []byte // reused between streams
}

func newVersionScan(name string, chunk int) *versionScan {
	return &versionScan{marker: []byte(name + " "), chunk: max(chunk, 1)}
}

// scan reads r to its end and records the versions it holds. A version
// that runs into the end of r ends there.
func (s *versionScan) scan(ctx context.Context, r io.Reader) error {
	win := s.win[:0]
	for eof := false; !eof; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if need := len(win) + s.chunk; cap(win) < need {
			win = append(make([]byte, 0, need), win...)
		}
		n, err := io.ReadFull(r, win[len(win):len(win)+s.chunk])
		win = win[:len(win)+n]
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			eof = true
		case err != nil:
			return err
		}
		keep := s.process(win, eof)
		win = win[:copy(win, win[keep:])]
	}
	s.win = win[:0]
	return nil
}

// process records the version after every marker in win whose version
// ends inside win (or at its end, if eof) and returns the offset from
// which win must be kept to find the rest when more bytes arrive.
func (s *versionScan) process(win []byte, eof bool) int {
	from := 0
	for {
		i := bytes.Index(win[from:], s.marker)
		if i < 0 {
			break
		}
		i += from
		start := i + len(s.marker)
		end := start
		for end < len(win) && end-start <= maxVersionLen && isVersionByte(win[end]) {
			end++
		}
		tooLong := end-start > maxVersionLen
		if end == len(win) && !eof && !tooLong {
			return i // the version may go on in the next chunk
		}
		if !tooLong {
			s.add(versionIn(string(win[start:end])))
		}
		// A marker may start inside this run, as in
		// "name 1.0.0name 2.0.0" where the run is "1.0.0name".
		from = start
	}
	if eof {
		return len(win)
	}
	// Keep what may be the start of a marker that the next chunk completes.
	return max(from, len(win)-len(s.marker)+1, 0)
}

func (s *versionScan) add(v string) {
	if v == "" || len(s.found) == maxFound {
		return
	}
	for _, f := range s.found {
		if f == v {
			return
		}
	}
	s.found = append(s.found, v)
}

// isVersionByte reports whether c may appear in a semantic version.
func isVersionByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
		c == '.' || c == '-' || c == '+'
}

// versionIn applies the trimming rule of the package documentation to run,
// the longest run of version bytes after a marker, and returns the
// version, or "" if there is none.
func versionIn(run string) string {
	for run != "" && !compat.ValidVersion(run) && strings.IndexByte(".-+", run[len(run)-1]) >= 0 {
		run = run[:len(run)-1]
	}
	if !compat.ValidVersion(run) {
		return ""
	}
	return run
}
