package cache

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
)

// A Fill is an entry being written. It holds the entry's lock until
// [Fill.Commit] or [Fill.Abort]. A Fill is not safe for concurrent use.
type Fill struct {
	c       *Cache
	key     Key
	tmp     string // temporary entry directory
	f       *os.File
	h       hash.Hash
	n       int64
	queued  int64      // bytes whose writeback was started (startWriteback)
	broken  bool       // a write failed: the hash and the file may differ
	synced  chan error // the background sync's result, until waitSync
	syncErr error
	sealed  bool
	done    bool
	lock    *flock.Flock // the entry's lock, held exclusive
	unlock  func() error
	aside   error // why the entry at the key was set aside, if it was
}

// Begin starts filling the entry for k. If the entry is already there and
// sound (perhaps because another process filled it while this one waited
// for the lock), Begin returns it and a nil Fill. Otherwise the caller
// writes the binary to the Fill, seals it, checks it, and commits or aborts.
// Begin waits for the entry's lock until ctx is done, except that an entry
// held in use by other processes ([Cache.Hold]) cannot be replaced: Begin
// then gives up after a short wait with an error matching [ErrInUse]. An
// entry whose record has a newer schema is never replaced: Begin returns
// an error matching [manifest.ErrSchema].
func (c *Cache) Begin(ctx context.Context, k Key) (*Fill, *Entry, error) {
	if err := k.validate(); err != nil {
		return nil, nil, err
	}
	e, final, err := c.reuse(k)
	if final {
		return nil, e, err
	}
	lock, err := c.lockForFill(ctx, k, err)
	if err != nil {
		return nil, nil, err
	}
	fill, e, err := c.begin(k, lock)
	if fill == nil {
		// Reused or failed: the lock is not the caller's to release.
		if uerr := lock.Unlock(); uerr != nil {
			return nil, nil, errors.Join(err, uerr)
		}
	}
	return fill, e, err
}

// reuse checks the entry for k, before the entry's lock and again under
// it: final is true when the check decides, for a sound entry (e, its
// last use bumped) or one of a newer schema (err matching
// [manifest.ErrSchema]: never replaced); otherwise err says why the entry
// must be filled.
func (c *Cache) reuse(k Key) (e *Entry, final bool, err error) {
	e, err = c.check(k)
	switch {
	case err == nil:
		c.touch(filepath.Join(c.entryDir(k), usedName), usedInterval)
		return e, true, nil
	case errors.Is(err, manifest.ErrSchema):
		return nil, true, err // a newer supctl's entry: never replaced
	}
	return nil, false, err
}

// begin is Begin under the entry's lock.
func (c *Cache) begin(k Key, lock *flock.Flock) (*Fill, *Entry, error) {
	e, final, err := c.reuse(k)
	if final {
		return nil, e, err
	}
	// Whatever is at the entry's name now is not a sound entry: a damaged
	// one, or a directory whose record went missing.
	moved, serr := c.setAside(k.name())
	if serr != nil {
		return nil, nil, serr
	}
	var aside error
	if moved {
		aside = err
	}
	stale, _ := filepath.Glob(filepath.Join(c.entries, ".tmp-"+k.name()+"-*"))
	for _, s := range stale {
		removeAll(s) // left by a writer that died holding this lock
	}
	tmp, err := os.MkdirTemp(c.entries, ".tmp-"+k.name()+"-")
	if err != nil {
		return nil, nil, writeError(c.dir, "creating a cache entry", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		removeAll(tmp)
		return nil, nil, writeError(c.dir, "creating a cache entry", err)
	}
	f, err := os.OpenFile(filepath.Join(tmp, k.base()), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		removeAll(tmp)
		return nil, nil, writeError(c.dir, "creating a cache entry", err)
	}
	return &Fill{c: c, key: k, tmp: tmp, f: f, h: sha256.New(), lock: lock, unlock: lock.Unlock, aside: aside}, nil, nil
}

// SetAside returns why the entry that was at the fill's key was set aside
// to make room for it, an error matching [ErrDamaged], or nil if there was
// none. Callers log it: an entry set aside may be a sign of tampering.
func (f *Fill) SetAside() error { return f.aside }

// setAside moves the damaged entry directory called name out of the way
// and deletes it, reporting whether there was one. The caller holds the
// entry's exclusive lock.
func (c *Cache) setAside(name string) (moved bool, err error) {
	moved, err = c.removeAside(name)
	if err != nil {
		return false, fmt.Errorf("setting aside damaged cache entry %s: %w", filepath.Join(c.entries, name), err)
	}
	return moved, nil
}

// removeAside moves what is called name in entries/ out of the way, under
// a name of the cache's clock that leftovers go by, and deletes it,
// reporting whether there was anything. Its error is the rename's.
func (c *Cache) removeAside(name string) (moved bool, err error) {
	aside := filepath.Join(c.entries, ".damaged-"+name+"-"+strconv.FormatInt(c.now().UnixNano(), 10))
	if err := os.Rename(filepath.Join(c.entries, name), aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	removeAll(aside) // what is left, gc removes as a leftover
	return true, nil
}

// removeAll removes p, making read-only directories writable if needed.
func removeAll(p string) error {
	if os.RemoveAll(p) == nil {
		return nil
	}
	filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(q, 0o755)
		}
		return nil
	})
	return os.RemoveAll(p)
}

// Write appends to the binary, hashing as it goes.
func (f *Fill) Write(p []byte) (int, error) {
	if f.sealed || f.done {
		return 0, errors.New("write to a sealed fill")
	}
	var n int
	var err error
	if len(p) < parallelHashMin {
		n, err = f.f.Write(p)
		f.h.Write(p[:n])
	} else {
		// Hash on the other core while the file system takes the bytes.
		hashed := make(chan struct{})
		go func() {
			f.h.Write(p)
			close(hashed)
		}()
		n, err = f.f.Write(p)
		<-hashed
		if n < len(p) && err == nil {
			err = io.ErrShortWrite
		}
	}
	f.n += int64(n)
	if err != nil {
		f.broken = true // the hash covers bytes the file may not have
		return n, writeError(f.c.dir, "writing the binary", err)
	}
	if f.n-f.queued >= writebackChunk {
		startWriteback(f.f, f.queued, f.n-f.queued)
		f.queued = f.n
	}
	return n, nil
}

// writebackChunk is how many bytes are written before their writeback is
// started: large enough to cost a few system calls per binary, small
// enough that the final fsync finds little left.
const writebackChunk = 8 << 20

// parallelHashMin is the smallest write whose hashing runs beside the
// write itself.
const parallelHashMin = 64 << 10

// Reset discards what was written so far, for a layer that holds the file
// twice (the last copy wins).
func (f *Fill) Reset() error {
	if f.sealed || f.done {
		return errors.New("reset of a sealed fill")
	}
	if _, err := f.f.Seek(0, 0); err != nil {
		return err
	}
	if err := f.f.Truncate(0); err != nil {
		return err
	}
	f.h.Reset()
	f.n = 0
	f.broken = false
	return nil
}

// Size is the number of bytes written so far.
func (f *Fill) Size() int64 { return f.n }

// Seal closes the binary, makes it read-only and executable (0555), starts
// syncing it to disk in the background, and returns its temporary path and
// digest, so the caller can check it (run it, even) while the sync goes on.
// [Fill.Commit] waits for the sync before it moves the entry into place.
func (f *Fill) Seal() (path string, sum digest.Digest, err error) {
	if f.done {
		return "", "", errors.New("seal of a finished fill")
	}
	if f.broken {
		return "", "", errors.New("seal of a fill whose write failed; abort it")
	}
	p := f.f.Name()
	if !f.sealed {
		// Sync through a read-only descriptor: the file must have no
		// writer left when it is executed (ETXTBSY).
		err = f.f.Close()
		if err == nil {
			err = os.Chmod(p, 0o555)
		}
		if err != nil {
			return "", "", writeError(f.c.dir, "writing the binary", err)
		}
		f.sealed = true
		f.synced = make(chan error, 1)
		go func() { f.synced <- syncFile(p) }()
	}
	return p, digest.NewDigest(digest.SHA256, f.h), nil
}

// waitSync waits for the background sync Seal started, once.
func (f *Fill) waitSync() error {
	if f.synced != nil {
		f.syncErr = <-f.synced
		f.synced = nil
	}
	return f.syncErr
}

// syncFile flushes the file at p to disk; for a directory, its entries.
func syncFile(p string) error {
	r, err := os.Open(p)
	if err != nil {
		return err
	}
	err = r.Sync()
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeRecord creates the record file at p holding data, mode 0644, and
// closes it; its bytes are synced by syncBoth.
func writeRecord(p string, data []byte) error {
	w, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	if err == nil {
		err = w.Chmod(0o644) // whatever the umask
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncBoth syncs the files at p and q, in parallel: file systems that
// journal commit both in one go.
func syncBoth(p, q string) error {
	done := make(chan error, 1)
	go func() { done <- syncFile(p) }()
	err := syncFile(q)
	return errors.Join(err, <-done)
}

// Commit records rec beside the sealed binary and moves the entry into
// place. The binary's digest and size in rec are set from what was written.
// Commit releases the lock, whatever its outcome.
func (f *Fill) Commit(rec manifest.Entry) (*Entry, error) {
	defer f.Abort()
	return f.commit(rec)
}

// CommitAndHold commits as [Fill.Commit] does and returns the entry held in
// use, as [Cache.Hold] would, with the function that releases it. The
// fill's exclusive lock becomes the hold's shared lock in one step (on
// Linux; flock(2) converts a lock in place), so no collection can remove
// the entry between its commit and its hold. It releases the lock,
// holding nothing, if it fails.
func (f *Fill) CommitAndHold(rec manifest.Entry) (e *Entry, release func() error, err error) {
	defer f.Abort()
	if e, err = f.commit(rec); err != nil {
		return nil, nil, err
	}
	if err := f.lock.RLock(); err != nil {
		return nil, nil, lockError(f.lock.Path(), err)
	}
	f.unlock = nil // the hold's now
	var once sync.Once
	return e, func() error {
		err := error(nil)
		once.Do(func() { err = f.lock.Unlock() })
		return err
	}, nil
}

// commit is Commit without releasing the lock.
func (f *Fill) commit(rec manifest.Entry) (*Entry, error) {
	_, sum, err := f.Seal()
	if err != nil {
		return nil, err
	}
	if err := f.waitSync(); err != nil {
		return nil, writeError(f.c.dir, "writing the binary", err)
	}
	rec.ManifestDigest = f.key.Manifest
	rec.File = f.key.file()
	rec.BinarySHA256 = sum
	rec.Size = f.n
	if rec.ExtractedAt.IsZero() {
		rec.ExtractedAt = f.c.now().UTC().Truncate(time.Second)
	}
	// The record is created in the entry's own temporary directory, which
	// no one else writes and whose names are synced below: no temporary
	// name and rename of its own.
	recPath := filepath.Join(f.tmp, recordName)
	data, err := manifest.Encode(&rec)
	if err != nil {
		return nil, writeError(f.c.dir, "committing a cache entry", fmt.Errorf("writing record %s: %w", recPath, err))
	}
	if err := writeRecord(recPath, data); err != nil {
		return nil, writeError(f.c.dir, "committing a cache entry", err)
	}
	changed, err := writeSeal(f.tmp, f.key.base())
	if err != nil {
		return nil, writeError(f.c.dir, "committing a cache entry", err)
	}
	for _, s := range []string{usedName, verifiedName} {
		if err := f.c.createStamp(filepath.Join(f.tmp, s)); err != nil {
			return nil, writeError(f.c.dir, "committing a cache entry", err)
		}
	}
	dir := f.c.entryDir(f.key)
	// Before the rename: the record's bytes and the directory's names (the
	// binary's bytes were synced since Seal), both at once.
	if err := syncBoth(recPath, f.tmp); err != nil {
		return nil, writeError(f.c.dir, "committing a cache entry", err)
	}
	// Usually long past: the binary was sealed before it was checked.
	time.Sleep(time.Until(changed.Add(ctimeTick)))
	if err := os.Rename(f.tmp, dir); err != nil {
		return nil, writeError(f.c.dir, "committing a cache entry", err)
	}
	f.done = true
	if err := syncFile(f.c.entries); err != nil {
		return nil, fmt.Errorf("committing cache entry %s: %w", dir, err)
	}
	return f.c.check(f.key)
}

// Abort removes the temporary entry, unless committed, and releases the
// lock. It may be called more than once.
func (f *Fill) Abort() error {
	if f == nil || f.unlock == nil {
		return nil
	}
	if !f.sealed {
		f.f.Close()
	}
	f.waitSync()
	if !f.done {
		removeAll(f.tmp)
		f.done = true
	}
	unlock := f.unlock
	f.unlock = nil
	return unlock()
}
