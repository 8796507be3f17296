package resolver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkRegular refuses a path that is not a regular file before anything
// reads it: stat first (following links: a gateway's supervisor_bin may be
// one), then an open that cannot block (O_NONBLOCK: a FIFO swapped in
// meanwhile does not hang it) and an fstat of what was opened.
func checkRegular(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such file: %w", p, err)
		}
		return err
	}
	if err := regular(p, fi); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return err
	}
	return regular(p, fi)
}

func regular(p string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "a special file"
	switch t := fi.Mode().Type(); {
	case t&fs.ModeDir != 0:
		what = "a directory"
	case t&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	case t&fs.ModeCharDevice != 0:
		what = "a character device"
	case t&fs.ModeDevice != 0:
		what = "a block device"
	}
	return fmt.Errorf("%s is %s, not a supervisor binary (a regular file): %w", p, what, ErrRefused)
}
