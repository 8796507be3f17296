//go:build !unix

package cache

import (
	"io/fs"
	"os"
)

// Ownership is not checked where there are no Unix owners and modes.
func checkInfo(p string, fi fs.FileInfo, dir bool) error { return nil }
func checkInfoAs(string, fs.FileInfo, bool, int) error   { return nil }
func checkDir(p string) error                            { return nil }
func checkDirAs(string, int) error                       { return nil }
func checkOpenDir(p string) error                        { return nil }
func checkAncestors(dir string) error                    { return nil }
func checkAncestorsAs(string, int) error                 { return nil }
func openNoFollow(p string) (*os.File, error)            { return os.Open(p) }

const lockOpenFlags = 0

func exclusivelyHeld(p string) (bool, error) {
	_, err := os.Stat(p)
	return err == nil, err
}

func tryLockExisting(p string) (unlock func() error, ok bool, err error) {
	if _, err := os.Stat(p); err != nil {
		return func() error { return nil }, true, nil
	}
	return tryLockFile(p)
}
