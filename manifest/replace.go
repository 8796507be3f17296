package manifest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// renameOver renames the temporary file tmp to the record file path. A
// directory at path is a corrupt record (records are files) that a rename
// cannot replace: it is moved aside first, to the hidden name
// [Store.SetAside] gives a directory, so that writing the record again
// repairs it as it repairs any other corrupt record.
func renameOver(tmp, path string) error {
	err := os.Rename(tmp, path)
	if err == nil {
		return nil
	}
	fi, lerr := os.Lstat(path)
	if lerr != nil || !fi.IsDir() {
		return err
	}
	aside := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".corrupt-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	if aerr := os.Rename(path, aside); aerr != nil && !errors.Is(aerr, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, path)
}
