package resolver

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

// lastReadFails returns its data, then the error together with the last
// bytes, as the registry client does on a digest mismatch.
type lastReadFails struct {
	r   io.Reader
	err error
}

func (l *lastReadFails) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err == io.EOF || (err == nil && n < len(p)) {
		return n, l.err
	}
	return n, err
}

func TestReadAhead(t *testing.T) {
	data := make([]byte, 3*aheadChunk+12345)
	rand.New(rand.NewSource(1)).Read(data)
	bad := errors.New("digest mismatch")
	tests := []struct {
		name    string
		src     io.Reader
		want    []byte // what is read before the error
		wantErr error
	}{
		{"whole", bytes.NewReader(data), data, nil},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(data[:5000])), data[:5000], nil},
		{"error with the last bytes", &lastReadFails{r: bytes.NewReader(data), err: bad}, data, bad},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ra := newReadAhead(tc.src)
			got, err := io.ReadAll(ra)
			ra.stop()
			ra.wait()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("read %d bytes, want %d bytes of the source", len(got), len(tc.want))
			}
			if _, err2 := ra.Read(make([]byte, 1)); tc.wantErr != nil && !errors.Is(err2, tc.wantErr) {
				t.Fatalf("the error is not sticky: %v", err2)
			}
		})
	}
	t.Run("stop while the source blocks", func(t *testing.T) {
		pr, pw := io.Pipe()
		ra := newReadAhead(pr)
		ra.stop()
		pr.CloseWithError(errors.New("closed")) // as scanLayer closes the blob
		ra.wait()
		pw.Close()
	})
}
