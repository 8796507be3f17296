package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/openshell-contrib/supctl/internal/atomicfile"
	"github.com/openshell-contrib/supctl/manifest"
)

// sealName is the file of an entry that holds its seal.
const sealName = ".seal"

// A seal is what stat said of an entry's binary and record when the entry
// was committed. The kernel sets a file's ctime to the present on every
// change of its contents, mode, owner or times, and no call sets it back;
// a rename into place (of the file, or of another file over it) gives it a
// new inode. So a binary or record that still matches its seal has not been
// changed since the commit, whatever its mtime says.
type seal struct {
	Binary stamp `json:"binary"`
	Record stamp `json:"record"`
}

// A stamp is the part of a file's stat that any change of it moves; for
// the record, also the SHA-256 of its bytes, so that an edit is seen even
// when it lands within the same tick of a coarse ctime clock.
type stamp struct {
	Inode   uint64 `json:"inode"`
	Size    int64  `json:"size"`
	Mode    uint32 `json:"mode"`
	MtimeNs int64  `json:"mtimeNs"`
	CtimeNs int64  `json:"ctimeNs"`
	SHA256  string `json:"sha256,omitempty"`
}

// ctimeTick bounds the granularity of a file system's ctime: kernels
// without fine-grained timestamps take it from a clock that advances once
// a scheduler tick (1 to 10 ms). A change within the tick of the commit
// could leave the ctime as sealed, so an entry becomes visible only once
// the tick is over.
const ctimeTick = 10 * time.Millisecond

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// writeSeal writes the seal of the entry directory dir, whose binary is
// called base; the directory is not yet in place. It returns when the
// binary's ctime was set: the caller makes the entry visible only after
// ctimeTick has passed since.
func writeSeal(dir, base string) (binaryChanged time.Time, err error) {
	var s seal
	for _, f := range []struct {
		name string
		to   *stamp
	}{{base, &s.Binary}, {recordName, &s.Record}} {
		fi, err := os.Lstat(filepath.Join(dir, f.name))
		if err != nil {
			return time.Time{}, err
		}
		*f.to = stampOf(fi)
	}
	rec, err := os.ReadFile(filepath.Join(dir, recordName))
	if err != nil {
		return time.Time{}, err
	}
	s.Record.SHA256 = sum(rec)
	err = writeSealFile(dir, &s)
	return time.Unix(0, s.Binary.CtimeNs), err
}

// writeSealFile creates the seal file of dir holding s.
func writeSealFile(dir string, s *seal) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	p := filepath.Join(dir, sealName)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	// Not synced: a seal lost in a crash leaves an entry that is not
	// believed and is extracted again, never a wrong one.
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readSeal reads the seal of the entry directory dir, without following a
// link or blocking on a FIFO; a seal that is not the caller's is not one.
func readSeal(dir string) (*seal, error) {
	s, _, err := readSealInfo(dir)
	return s, err
}

// readSealInfo is readSeal, and returns what fstat said of the seal file
// it read.
func readSealInfo(dir string) (*seal, fs.FileInfo, error) {
	p := filepath.Join(dir, sealName)
	f, err := openNoFollow(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("it has no seal (%s), so its record cannot be told from an edited one", sealName)
		}
		return nil, nil, fmt.Errorf("its seal cannot be read: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("its seal cannot be read: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("its seal %s is not a regular file", sealName)
	}
	if err := checkInfo(p, fi, false); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, nil, fmt.Errorf("its seal cannot be read: %v", err)
	}
	var s seal
	if err := json.Unmarshal(data, &s); err != nil || s.Binary.Inode == 0 || s.Record.Inode == 0 {
		return nil, nil, fmt.Errorf("its seal %s is corrupt", sealName)
	}
	return &s, fi, nil
}

// checkRecordSeal checks that the record of the entry directory dir, read
// as data, is the one committed: a record edited, replaced or copied since
// is not believed, whatever it says, and the entry must be extracted again.
func checkRecordSeal(dir string, data []byte) (*seal, error) {
	s, _, err := checkRecordSealInfo(dir, data)
	return s, err
}

// checkRecordSealInfo is checkRecordSeal, and returns the seal files it
// checked: what lstat said of the record after its check and fstat of the
// seal it read.
func checkRecordSealInfo(dir string, data []byte) (*seal, sealFiles, error) {
	s, sfi, err := readSealInfo(dir)
	if err != nil {
		return nil, sealFiles{}, err
	}
	fi, err := os.Lstat(filepath.Join(dir, recordName))
	if err != nil {
		return nil, sealFiles{}, err
	}
	got := stampOf(fi)
	got.SHA256 = sum(data)
	if got != s.Record {
		return nil, sealFiles{}, fmt.Errorf("its record %s was changed after the entry was committed (%s), so what it says is not believed", recordName, s.Record.diff(got))
	}
	return s, sealFiles{record: fi, seal: sfi}, nil
}

// diff says how got differs from s.
func (s stamp) diff(got stamp) string {
	switch {
	case got.SHA256 != s.SHA256:
		return "other contents"
	case got.Inode != s.Inode:
		return fmt.Sprintf("inode %d, sealed %d", got.Inode, s.Inode)
	case got.Size != s.Size:
		return fmt.Sprintf("size %d, sealed %d", got.Size, s.Size)
	case got.Mode != s.Mode:
		return fmt.Sprintf("mode %o, sealed %o", got.Mode, s.Mode)
	case got.MtimeNs != s.MtimeNs:
		return "mtime moved"
	}
	return "ctime moved"
}

// reseal rewrites the binary's part of the seal of the entry directory dir,
// after a full re-hash showed the binary to be what its sealed record
// says. The caller holds the entry's exclusive lock.
func reseal(dir, base string) error {
	var rec manifest.Entry
	data, err := manifest.ReadBytes(filepath.Join(dir, recordName), &rec)
	if err != nil {
		return err
	}
	s, err := checkRecordSeal(dir, data)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(filepath.Join(dir, base))
	if err != nil {
		return err
	}
	s.Binary = stampOf(fi)
	time.Sleep(time.Until(time.Unix(0, s.Binary.CtimeNs).Add(ctimeTick))) // see ctimeTick
	out, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, sealName), append(out, '\n'), 0o444, nil)
}
