package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/openshell-contrib/supctl/internal/fileid"
	"github.com/openshell-contrib/supctl/manifest"
)

// memoSize bounds the entries whose sealed records a [Cache] remembers;
// past it, it forgets them all and starts again.
const memoSize = 1024

// sealFiles are what stat said of an entry's record and seal files when
// they were checked.
type sealFiles struct{ record, seal fs.FileInfo }

// A sealMemo holds, per entry, the record and seal a lookup read and
// checked against each other, with the identity of their files (device,
// inode, owner, mode, size, mtime, ctime). The kernel moves a file's ctime
// on every change of its contents, mode or owner, and a file renamed into
// place has a new inode and ctime, so while one lstat of each still shows
// the same identity the record is the committed one, as checked: a lookup
// then neither opens, reads, hashes nor decodes them. The binary is
// checked against the seal on every lookup all the same. An entry is
// remembered only when its files were read after their ctimes had settled
// ([fileid.Settled]), so that a change within the tick of the last one
// cannot keep the ctime it had.
type sealMemo struct {
	mu sync.Mutex
	m  map[Key]sealedEntry
}

type sealedEntry struct {
	record, seal fileid.ID
	rec          manifest.Entry
	sl           seal
}

// recall returns the record and seal remembered for the entry k in the
// directory dir, if its record and seal files are still those they were
// read from.
func (m *sealMemo) recall(k Key, dir string) (*manifest.Entry, *seal, bool) {
	m.mu.Lock()
	got, ok := m.m[k]
	m.mu.Unlock()
	if !ok {
		return nil, nil, false
	}
	for _, f := range []struct {
		name string
		id   fileid.ID
	}{{recordName, got.record}, {sealName, got.seal}} {
		fi, err := os.Lstat(filepath.Join(dir, f.name))
		if err != nil {
			return nil, nil, false
		}
		if id, ok := fileid.Of(fi); !ok || id != f.id {
			return nil, nil, false
		}
	}
	return &got.rec, &got.sl, true
}

// keep remembers rec and sl for the entry k, as read (after start) from
// the files f.
func (m *sealMemo) keep(k Key, rec *manifest.Entry, sl *seal, f sealFiles, start time.Time) {
	rid, ok := fileid.Of(f.record)
	sid, sok := fileid.Of(f.seal)
	if !ok || !sok {
		return
	}
	for _, id := range []fileid.ID{rid, sid} {
		if !fileid.Settled(id, start) {
			return
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= memoSize {
		m.m = make(map[Key]sealedEntry)
	}
	m.m[k] = sealedEntry{record: rid, seal: sid, rec: *rec, sl: *sl}
}
