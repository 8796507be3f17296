package resolver

import (
	"io"
	"sync"
)

const (
	aheadChunk = 256 << 10 // bytes read per chunk
	aheadDepth = 4         // chunks read ahead of the consumer
)

// readAhead reads its source in a goroutine, at most aheadDepth chunks
// ahead of its consumer, so that downloading and checking a blob run beside
// its decompression. Memory stays bounded: aheadDepth+1 chunks.
type readAhead struct {
	full chan []byte // filled chunks, in order
	free chan []byte // chunks to fill
	quit chan struct{}
	done chan struct{}
	cur  []byte // the unread part of the chunk being consumed
	buf  []byte // the whole chunk being consumed
	err  error  // the source's error, once reached; sticky
	serr error  // written by the goroutine before it closes full
}

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan []byte, aheadDepth),
		free: make(chan []byte, aheadDepth+1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range aheadDepth + 1 {
		ra.free <- *chunkPool.Get().(*[]byte)
	}
	go ra.fill(src)
	return ra
}

// fill runs in its own goroutine until the source fails or ends, or stop.
func (ra *readAhead) fill(src io.Reader) {
	defer close(ra.done)
	defer close(ra.full)
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.quit:
			return
		}
		n, err := src.Read(b) // not io.ReadAtLeast: it drops an error that comes with data
		if n > 0 {
			select {
			case ra.full <- b[:n]:
			case <-ra.quit:
				return
			}
		}
		if err != nil {
			ra.serr = err
			return
		}
	}
}

// Read implements io.Reader.
func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		b, ok := <-ra.full
		if !ok {
			ra.err = ra.serr // the goroutine has ended: its write is visible
			if ra.err == nil {
				ra.err = io.ErrClosedPipe
			}
			return 0, ra.err
		}
		ra.buf, ra.cur = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// chunkPool keeps chunks between layers: an image of thousands of layers
// allocates them once, not once per layer.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, aheadChunk); return &b }}

// stop tells the goroutine to end; wait waits until it has, then gives the
// chunks back to the pool. Close the source between the two, to end a read
// in progress. The reader must not be used after wait.
func (ra *readAhead) stop() { close(ra.quit) }
func (ra *readAhead) wait() {
	<-ra.done
	put := func(b []byte) { b = b[:cap(b)]; chunkPool.Put(&b) }
	if ra.buf != nil {
		put(ra.buf)
		ra.buf, ra.cur = nil, nil
	}
	for b := range ra.full {
		put(b)
	}
	for {
		select {
		case b := <-ra.free:
			put(b)
		default:
			return
		}
	}
}
