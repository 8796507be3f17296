package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// MaxRecordSize bounds the size of a record file that [Read] accepts. It is
// twice the largest index a resolve reads (resolver.MaxManifestSize, 4 MiB):
// an index record, one platform and digest per manifest, is never larger
// than the index it records, so every index a resolve accepts round-trips.
const MaxRecordSize = 8 << 20

// A Record is one of the documents of this package: *[Entry], *[Ref],
// *[Index] or *[Pin].
type Record interface {
	Validate() error
	schema() *int
}

func (e *Entry) schema() *int { return &e.SchemaVersion }
func (r *Ref) schema() *int   { return &r.SchemaVersion }
func (x *Index) schema() *int { return &x.SchemaVersion }
func (p *Pin) schema() *int   { return &p.SchemaVersion }

// Read decodes the record file at path into rec.
//
// A missing file gives an error matching [fs.ErrNotExist]. A file written by
// a newer schema gives an error matching [ErrSchema] and is left in place. A
// file that cannot be decoded or fails validation is moved aside (see the
// package documentation) and gives an error matching [ErrCorrupt].
func Read(path string, rec Record) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxRecordSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("reading record %s: %w", path, err)
	}
	if err := Decode(data, rec); err != nil {
		if errors.Is(err, ErrSchema) {
			return fmt.Errorf("record %s: %w", path, err)
		}
		aside := path + ".corrupt-" + strconv.FormatInt(time.Now().UnixNano(), 10)
		if rerr := os.Rename(path, aside); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fmt.Errorf("record %s is corrupt (%v) and could not be moved aside: %w", path, err, ErrCorrupt)
		}
		return fmt.Errorf("record %s is corrupt (%v); moved it to %s: %w", path, err, filepath.Base(aside), ErrCorrupt)
	}
	return nil
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
// a temporary file in the same directory, syncs it, and renames it into
// place. An existing file written by a newer schema is not overwritten.
func WriteFile(path string, rec Record) error {
	data, err := Encode(rec)
	if err != nil {
		return fmt.Errorf("writing record %s: %w", path, err)
	}
	if err := refuseNewer(path); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return writeError(path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return writeError(path, err)
	}
	// Make the rename itself durable; a failure here loses nothing that
	// was there before, so it is not reported.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// refuseNewer returns an error matching ErrSchema if the file at path holds
// a record of a newer schema.
func refuseNewer(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil // absent or unreadable: nothing to protect
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

// writeError describes a failure to write the record file at path, saying
// what to do when its file system is full or read-only.
func writeError(path string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("writing record %s: %w; the file system is full: free space there or use another cache directory (--cache-dir)", path, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("writing record %s: %w; the cache directory is not writable: make it writable or use another cache directory (--cache-dir)", path, err)
	}
	return fmt.Errorf("writing record %s: %w", path, err)
}
