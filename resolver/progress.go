package resolver

import (
	"errors"
	"io"
	"sync"
)

// Progress reports how far the download of one layer blob has come. The
// resolver sends one with Complete 0 when a download starts (again for a
// retry), one after each read that brought bytes, and one with Done set
// when the download ends, whole or not.
type Progress struct {
	// Layer is the blob's digest.
	Layer string
	// Complete is the number of compressed bytes read so far, Total the
	// blob's size from the image manifest.
	Complete, Total int64
	Done            bool
}

// WithProgress makes the resolver call f as layer blobs download. f is
// called from the goroutine reading the blob, one call at a time: it must
// return quickly. By default nothing is reported; a CLI sets it to draw a
// progress bar.
func WithProgress(f func(Progress)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("WithProgress: nil function")
		}
		c.progress = f
		return nil
	}
}

// progressReader reports the bytes read through it. Close may run while a
// Read is in progress (it unblocks it): mu keeps the reports one at a time.
type progressReader struct {
	rc io.ReadCloser
	f  func(Progress)
	mu sync.Mutex
	p  Progress
}

// track wraps a layer blob's reader to report progress, if asked for.
func (r *Resolver) track(rc io.ReadCloser, layer string, total int64) io.ReadCloser {
	if r.cfg.progress == nil {
		return rc
	}
	pr := &progressReader{rc: rc, p: Progress{Layer: layer, Total: total}, f: r.cfg.progress}
	pr.f(pr.p)
	return pr
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.rc.Read(b)
	if n > 0 {
		pr.mu.Lock()
		if !pr.p.Done {
			pr.p.Complete += int64(n)
			pr.f(pr.p)
		}
		pr.mu.Unlock()
	}
	return n, err
}

func (pr *progressReader) Close() error {
	err := pr.rc.Close()
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if !pr.p.Done {
		pr.p.Done = true
		pr.f(pr.p)
	}
	return err
}
