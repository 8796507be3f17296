package bench

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"

	"github.com/klauspost/compress/gzip"
)

// copyBuffer is the size of the buffers the blob is read and the binary
// copied through, the same as supctl's.
const copyBuffer = 256 << 10

// Limit is the least work a crash-safe extractor must do: one GET of the
// gzip layer blob at blobURL, gunzip and untar it, write the regular file
// whose tar name is name ("/openshell-sandbox") to dest, a new file, and
// fsync it. Nothing else: no manifest, no digest check, no version probe,
// no rename. It returns the number of bytes written.
func Limit(ctx context.Context, client *http.Client, blobURL, name, dest string) (int64, error) {
	return LimitWith(ctx, client, blobURL, name, dest, gunzip)
}

// An Inflater decompresses a gzip stream.
type Inflater func(ctx context.Context, r io.Reader) (io.ReadCloser, error)

func gunzip(_ context.Context, r io.Reader) (io.ReadCloser, error) {
	return gzip.NewReader(bufio.NewReaderSize(r, copyBuffer))
}

// ExternalInflater runs the program at path with "-d -c" (gzip's, pigz's
// and ISA-L igzip's flags), feeding it the stream on its standard input
// and reading the inflated bytes from its standard output.
func ExternalInflater(path string) Inflater {
	return func(ctx context.Context, r io.Reader) (io.ReadCloser, error) {
		cmd := exec.CommandContext(ctx, path, "-d", "-c")
		cmd.Stdin = r
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return &waitCloser{ReadCloser: out, cmd: cmd}, nil
	}
}

type waitCloser struct {
	io.ReadCloser
	cmd *exec.Cmd
}

func (w *waitCloser) Close() error {
	w.ReadCloser.Close()
	return w.cmd.Wait()
}

// LimitWith is Limit with the gzip stream inflated by inflate.
func LimitWith(ctx context.Context, client *http.Client, blobURL, name, dest string, inflate Inflater) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, blobURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", blobURL, resp.Status)
	}
	zr, err := inflate(ctx, resp.Body)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	want := path.Clean("/" + name)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return 0, fmt.Errorf("%s: no %s in the layer", blobURL, want)
		}
		if err != nil {
			return 0, err
		}
		if hdr.Typeflag == tar.TypeReg && path.Clean("/"+hdr.Name) == want {
			return writeSynced(dest, tr)
		}
	}
}

// writeSynced writes r to the new file dest and fsyncs it.
func writeSynced(dest string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return 0, err
	}
	// Hide ReadFrom so the copy goes through one buffer as supctl's does.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, r, make([]byte, copyBuffer))
	if err == nil {
		err = f.Sync()
	}
	return n, errors.Join(err, f.Close())
}
