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
	zr, err := gzip.NewReader(bufio.NewReaderSize(resp.Body, copyBuffer))
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
