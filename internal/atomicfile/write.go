// Package atomicfile replaces a file by rename: a reader sees the old file
// or the new one, whole, never a part, and a crash leaves one of them. It
// is how the cache writes its records and seals: a temporary file in the
// same directory, written, synced, renamed over the file, and the
// directory synced.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempPattern is the pattern, for [os.CreateTemp], of the temporary files
// that [Write] makes for a file called base: a hidden name (base, with a
// dot before it unless it has one) followed by ".tmp-" and a random
// string, by which the leftovers of a writer killed before its rename are
// known.
func TempPattern(base string) string {
	if !strings.HasPrefix(base, ".") {
		base = "." + base
	}
	return base + ".tmp-*"
}

// Write replaces the file at path with data, of mode perm: it writes a
// temporary file in the same directory (named by [TempPattern]), syncs it,
// and renames it to path with rename ([os.Rename] when nil), then syncs
// the directory so that the rename too survives a crash; a failure of that
// last sync loses nothing that was there before, and is not reported. On
// any other failure it removes the temporary file, leaves path as it was,
// and returns the error of the step that failed.
func Write(path string, data []byte, perm fs.FileMode, rename func(tmp, path string) error) error {
	if rename == nil {
		rename = os.Rename
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, TempPattern(base))
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
