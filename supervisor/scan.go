package supervisor

import (
	"bytes"
	"context"
	"errors"
	"io"

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

// versionScan finds the version marker (see the package documentation) in
// streams of bytes, reading them
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

// scan reads r, one region, to its end and records the versions it holds.
// A version that runs into the end of r is not terminated, so not taken.
func (s *versionScan) scan(ctx context.Context, r io.Reader) error {
	win := s.win[:0]
	atStart := true // win[0] is the first byte of the region
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
		keep := s.process(win, eof, atStart)
		if keep > 0 {
			atStart = false
		}
		win = win[:copy(win, win[keep:])]
	}
	s.win = win[:0]
	return nil
}

// process records the version of every marker in win whose version ends
// inside win, and returns the offset from which win must be kept to find
// the rest when more bytes arrive. atStart says whether win starts at the
// start of its region; eof, whether it ends at its end.
func (s *versionScan) process(win []byte, eof, atStart bool) int {
	from := 0
	for {
		j := bytes.Index(win[from:], s.marker)
		if j < 0 {
			break
		}
		i := from + j
		start := i + len(s.marker)
		end := start
		for end < len(win) && end-start <= maxVersionLen && !isTerminator(win[end]) {
			end++
		}
		tooLong := end-start > maxVersionLen
		if end == len(win) && !eof && !tooLong {
			return max(i-1, 0) // the version may go on; keep the byte before the marker
		}
		preceded := i == 0 && atStart || i > 0 && isTerminator(win[i-1])
		if preceded && !tooLong && end < len(win) && compat.ValidVersion(string(win[start:end])) {
			s.add(string(win[start:end]))
		}
		// A marker may start inside this one's text, as in
		// "name name 1.0.0".
		from = start
	}
	if eof {
		return len(win)
	}
	// Keep what may be the start of a marker that the next chunk
	// completes, and the byte before it.
	return max(from-1, len(win)-len(s.marker), 0)
}

// isTerminator reports whether c may delimit a marker: NUL or newline.
func isTerminator(c byte) bool { return c == 0 || c == '\n' }

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
