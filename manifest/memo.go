package manifest

import (
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/openshell-contrib/supctl/internal/fileid"
)

// memoSize bounds the records a [Store] remembers; past it, it forgets
// them all and starts again.
const memoSize = 1024

// A memo holds the records a [Store] read, each with the identity of the
// file it was read from: its device, inode, owner, mode, size, mtime and
// ctime. The kernel moves a file's ctime on every change of its contents,
// mode or owner, and a record is replaced by renaming a new file over it
// (a new inode, a new ctime), so while one lstat of the path still shows
// that identity the file holds the bytes that were read, decoded and
// checked: the record is given again without opening, reading or
// decoding the file. A record is remembered only when it was read after
// its ctime had settled ([fileid.Settled]), so that a change within the tick of
// the last one cannot keep the ctime it had.
type memo struct {
	mu sync.Mutex
	m  map[string]memoed
}

type memoed struct {
	id  fileid.ID
	rec Record
}

// read is [Read] of the record file at path into rec, given from the memo
// when the file is the one it was read from.
func (m *memo) read(path string, rec Record) error {
	if fi, err := os.Lstat(path); err == nil && m.recall(path, fi, rec) {
		return nil
	}
	start := time.Now()
	data, fi, err := readFile(path)
	if err != nil {
		return err
	}
	if err := decodeRecord(path, data, rec); err != nil {
		return err
	}
	m.keep(path, fi, rec, start)
	return nil
}

// recall copies into rec the record remembered for path if fi, what lstat
// says of path now, shows the file it was read from.
func (m *memo) recall(path string, fi fs.FileInfo, rec Record) bool {
	id, ok := fileid.Of(fi)
	if !ok {
		return false
	}
	m.mu.Lock()
	got, ok := m.m[path]
	m.mu.Unlock()
	return ok && got.id == id && copyRecord(rec, got.rec)
}

// keep remembers rec, read from path at start, whose file fstat described
// as fi.
func (m *memo) keep(path string, fi fs.FileInfo, rec Record, start time.Time) {
	id, ok := fileid.Of(fi)
	if !ok || !fileid.Settled(id, start) {
		return
	}
	var cp Record
	switch rec.(type) {
	case *Ref:
		cp = new(Ref)
	case *Index:
		cp = new(Index)
	default:
		return
	}
	copyRecord(cp, rec)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= memoSize {
		m.m = make(map[string]memoed)
	}
	m.m[path] = memoed{id: id, rec: cp}
}

// copyRecord copies src into dst, which must be of the same type, sharing
// nothing the caller could change.
func copyRecord(dst, src Record) bool {
	switch d := dst.(type) {
	case *Ref:
		s, ok := src.(*Ref)
		if ok {
			*d = *s
		}
		return ok
	case *Index:
		s, ok := src.(*Index)
		if ok {
			*d = *s
			d.Manifests = slices.Clone(s.Manifests)
		}
		return ok
	}
	return false
}
