package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"syscall"

	"github.com/openshell-contrib/supctl/internal/atomicfile"
	"github.com/openshell-contrib/supctl/remedy"
)

// MaxRecordSize bounds the size of a record file that [Read] accepts. It is
// twice the largest index a resolve reads (registry.MaxManifestSize, 4 MiB):
// an index record, one platform and digest per manifest, is never larger
// than the index it records, so every index a resolve accepts round-trips.
const MaxRecordSize = 8 << 20

// A Record is one of the documents of this package: *[Entry], *[Ref],
// *[Index], *[Pin] or *[Probe].
type Record interface {
	Validate() error
	schema() *int
}

func (e *Entry) schema() *int { return &e.SchemaVersion }
func (r *Ref) schema() *int   { return &r.SchemaVersion }
func (x *Index) schema() *int { return &x.SchemaVersion }
func (p *Pin) schema() *int   { return &p.SchemaVersion }

// Read decodes the record file at path into rec. It changes nothing on
// disk.
//
// A missing file gives an error matching [fs.ErrNotExist]. A file written by
// a newer schema gives an error matching [ErrSchema]. A file that cannot be
// decoded or fails validation, and one that is not a regular file owned by
// the caller (a symbolic link, say, which Read does not follow), is not
// believed: Read gives an error matching [ErrCorrupt] and leaves it where
// it is. The caller treats the record as absent; writing the record again
// replaces the file, and [Store.SetAside] moves it out of the way.
func Read(path string, rec Record) error {
	_, err := ReadBytes(path, rec)
	return err
}

// ReadBytes is [Read], and returns the bytes it decoded, for a caller that
// checks them against a digest of its own.
func ReadBytes(path string, rec Record) ([]byte, error) {
	data, _, err := readFile(path)
	if err != nil {
		return nil, err
	}
	if err := decodeRecord(path, data, rec); err != nil {
		return nil, err
	}
	return data, nil
}

// decodeRecord is [Decode] of the record file at path, read as data, with
// the errors of [Read].
func decodeRecord(path string, data []byte, rec Record) error {
	if err := Decode(data, rec); err != nil {
		if errors.Is(err, ErrSchema) {
			return fmt.Errorf("record %s: %w", path, err)
		}
		return fmt.Errorf("record %s is corrupt (%v): %w", path, err, ErrCorrupt)
	}
	return nil
}

// readFile reads the record file at path, at most MaxRecordSize+1 bytes,
// without following a symbolic link and without blocking on a FIFO, and
// refuses a file that is not regular or not the caller's. It returns what
// fstat said of the file it read.
func readFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if err != nil {
		if isLoop(err) {
			return nil, nil, fmt.Errorf("record %s is a symbolic link: %w", path, ErrCorrupt)
		}
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("reading record %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("record %s is not a regular file but %v: %w", path, fi.Mode().Type(), ErrCorrupt)
	}
	if err := ownedByCaller(fi); err != nil {
		return nil, nil, fmt.Errorf("record %s %v: %w", path, err, ErrCorrupt)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxRecordSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading record %s: %w", path, err)
	}
	return data, fi, nil
}

// Decode parses one record document into rec, checking its schema version
// first and validating the result. A document of a newer schema gives an
// error matching [ErrSchema].
func Decode(data []byte, rec Record) error {
	if len(data) > MaxRecordSize {
		return fmt.Errorf("larger than %d bytes", MaxRecordSize)
	}
	var head struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	switch {
	case head.SchemaVersion == nil:
		return fmt.Errorf("no schemaVersion")
	case *head.SchemaVersion > SchemaVersion:
		return fmt.Errorf("schemaVersion %d is newer than %d, the newest this supctl knows; upgrade supctl or use another cache directory: %w",
			*head.SchemaVersion, SchemaVersion, ErrSchema)
	case *head.SchemaVersion < 1:
		return fmt.Errorf("schemaVersion %d", *head.SchemaVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(rec); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the document")
	}
	return rec.Validate()
}

// Encode returns the canonical encoding of rec: indented JSON with a
// trailing newline, stamped with [SchemaVersion].
func Encode(rec Record) ([]byte, error) {
	*rec.schema() = SchemaVersion
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// WriteFile atomically replaces the record file at path with rec: it writes
// a temporary file in the same directory, syncs it, renames it into place
// and syncs the directory (internal/atomicfile). An existing file written by a newer schema is not overwritten; a
// directory in the record's place is moved aside first (see
// [Store.SetAside]); nothing in the record's place, a FIFO included, makes
// it block.
func WriteFile(path string, rec Record) error {
	data, err := Encode(rec)
	if err != nil {
		return fmt.Errorf("writing record %s: %w", path, err)
	}
	if err := refuseNewer(path); err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o644, renameOver); err != nil {
		return writeError(path, err)
	}
	return nil
}

// refuseNewer returns an error matching ErrSchema if the file at path holds
// a record of a newer schema.
func refuseNewer(path string) error {
	data, _, err := readFile(path) // never blocks on a FIFO
	if err != nil {
		return nil // absent, unreadable or not a record file: nothing to protect
	}
	var head struct {
		SchemaVersion int `json:"schemaVersion"`
	}
	if json.Unmarshal(data, &head) == nil && head.SchemaVersion > SchemaVersion {
		return fmt.Errorf("record %s has schemaVersion %d, newer than %d; not overwriting it; upgrade supctl or use another cache directory: %w",
			path, head.SchemaVersion, SchemaVersion, ErrSchema)
	}
	return nil
}

// A WriteError reports a failure to write in a cache directory, such as a
// full or read-only file system, and says what to do about it. Nothing
// written before is lost: records and entries are never written in place.
type WriteError struct {
	// Dir is the cache directory, Op what was being done.
	Dir, Op string
	Err     error
}

func (e *WriteError) Error() string {
	msg := fmt.Sprintf("%s in cache directory %s: %v", e.Op, e.Dir, e.Err)
	if rm := e.Remedy(); rm.Action != "" {
		msg += "; " + rm.String()
	}
	return msg
}

// Remedy is, for a full, size-limited or unwritable file system, another
// cache directory after what would fix this one; for any other failure
// none.
func (e *WriteError) Remedy() remedy.Remedy {
	var before string
	switch {
	case errors.Is(e.Err, syscall.ENOSPC), errors.Is(e.Err, syscall.EDQUOT):
		before = "the file system is full: free space there or "
	case errors.Is(e.Err, syscall.EFBIG):
		before = "a file size limit (ulimit -f) was reached: raise it or "
	case errors.Is(e.Err, syscall.EROFS), errors.Is(e.Err, fs.ErrPermission):
		before = "the cache directory is not writable: make it writable or "
	default:
		return remedy.Remedy{}
	}
	return remedy.Remedy{Action: remedy.OtherCacheDir, Before: before}
}

func (e *WriteError) Unwrap() error { return e.Err }

// writeError describes a failure to write the record file at path.
func writeError(path string, err error) error {
	dir, base := filepath.Split(filepath.Clean(path))
	sub := filepath.Base(dir)
	return &WriteError{Dir: filepath.Dir(filepath.Clean(dir)), Op: "writing record " + filepath.Join(sub, base), Err: err}
}
