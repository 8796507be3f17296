package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// blobResumes bounds how often one blob download is resumed after its
// stream was cut; a stalled stream draws on the operation's smaller budget
// too (see stallResumes).
const blobResumes = 3

// Blob returns a reader of the blob desc names that checks the blob's size
// and digest as it reaches its end, failing the last read on a mismatch
// (with [ErrRefused]). A stream cut short is resumed with a Range request
// from the bytes already hashed; a server that ignores Range sends the
// whole blob again and its first bytes are skipped, so the hash covers each
// byte once, in order, end to end.
func (c *Repo) Blob(ctx context.Context, desc v1.Descriptor) io.ReadCloser {
	b := &blobReader{ctx: ctx, c: c, desc: desc, h: sha256.New()}
	if desc.Size < 0 {
		b.err = fmt.Errorf("blob %s has a negative size (%d) in its manifest: %w", desc.Digest, desc.Size, ErrRefused)
	}
	return b
}

type blobReader struct {
	ctx     context.Context
	c       *Repo
	desc    v1.Descriptor
	mu      sync.Mutex // guards body and closed: Close may come from another goroutine
	body    io.ReadCloser
	closed  bool
	h       hash.Hash
	n       int64 // bytes delivered, all hashed
	resumes int
	stalls  stallBudget // used outside an operation only
	err     error       // sticky
}

func (b *blobReader) Read(p []byte) (int, error) {
	for b.err == nil {
		body := b.current()
		if body == nil {
			if body, b.err = b.open(); b.err != nil {
				break
			}
		}
		if left := b.desc.Size - b.n; int64(len(p)) > left+1 {
			p = p[:left+1]
		}
		k, err := body.Read(p)
		if b.n+int64(k) > b.desc.Size {
			b.err = fmt.Errorf("the registry sent more than the blob's %d bytes: %w", b.desc.Size, ErrRefused)
			return 0, b.err
		}
		b.h.Write(p[:k])
		b.n += int64(k)
		switch {
		case err == io.EOF && b.n == b.desc.Size:
			b.err = b.check()
		case err == io.EOF:
			b.err = fmt.Errorf("the registry sent %d of the blob's %d bytes: %w", b.n, b.desc.Size, ErrRefused)
		case err != nil && unreachable(err) && b.ctx.Err() == nil && b.resumes < blobResumes &&
			(!stalled(err) || resumeStalled(b.ctx, &b.stalls)):
			b.drop(body)
			b.resumes++
		case err != nil:
			b.err = err
		}
		if k > 0 {
			return k, nil
		}
	}
	return 0, b.err
}

// check compares the whole blob's digest with the one asked for.
func (b *blobReader) check() error {
	got := "sha256:" + hex.EncodeToString(b.h.Sum(nil))
	if b.desc.Digest.Algorithm != "sha256" || got != b.desc.Digest.String() {
		return fmt.Errorf("blob content does not match its digest %s (got %s: wrong bytes from the registry): %w", b.desc.Digest, got, ErrRefused)
	}
	return io.EOF
}

func (b *blobReader) current() io.ReadCloser {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.body
}

func (b *blobReader) drop(body io.ReadCloser) {
	body.Close()
	b.mu.Lock()
	b.body = nil
	b.mu.Unlock()
}

// open starts (or resumes) the download at byte b.n.
func (b *blobReader) open() (io.ReadCloser, error) {
	hdr := http.Header{}
	if b.n > 0 {
		// Both ends given: some registries refuse an open-ended range.
		hdr.Set("Range", "bytes="+strconv.FormatInt(b.n, 10)+"-"+strconv.FormatInt(b.desc.Size-1, 10))
	}
	resp, err := b.c.do(b.ctx, http.MethodGet, "blobs", b.desc.Digest.String(), hdr)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusOK && b.n > 0:
		// The server ignored Range: skip what was already delivered.
		if _, err := io.CopyN(io.Discard, resp.Body, b.n); err != nil {
			resp.Body.Close()
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusPartialContent && b.n > 0:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != b.n {
			resp.Body.Close()
			return nil, fmt.Errorf("resuming at byte %d, the registry answered with Content-Range %q: %w", b.n, resp.Header.Get("Content-Range"), ErrRefused)
		}
	default:
		defer resp.Body.Close()
		return nil, transport.CheckError(resp, http.StatusOK)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		resp.Body.Close()
		return nil, errors.New("blob reader closed")
	}
	b.body = resp.Body
	return resp.Body, nil
}

// rangeStart parses the first byte of "bytes START-END/SIZE".
func rangeStart(v string) (int64, bool) {
	v, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, false
	}
	s, _, ok := strings.Cut(v, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 63)
	return int64(n), err == nil
}

// Close ends the download; it may be called while a Read is in progress in
// another goroutine, and makes that Read fail.
func (b *blobReader) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.body != nil {
		return b.body.Close()
	}
	return nil
}
