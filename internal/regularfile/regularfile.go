// Package regularfile opens and reads files that others write and supctl
// only reads (a gateway's config, env file and binaries, Docker's context
// files) without trusting what is at the path: an open that cannot block
// (a FIFO put there would otherwise hold it until a writer comes), then
// only a regular file, and for a read at most a given number of bytes.
package regularfile

import (
	"fmt"
	"io"
	"os"
)

// Open opens the regular file at path for reading. A missing file gives an
// error that wraps fs.ErrNotExist; a FIFO, device, socket or directory an
// error naming path, without waiting on it.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (mode %v)", path, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Read returns the contents of the regular file at path (see [Open]), of
// at most max bytes; a longer file gives an error naming path.
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b, nil
}
