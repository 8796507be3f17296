package manifest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A RecordProblem is a record file of a [Store] that cannot be used, or a
// directory of records that cannot be read.
type RecordProblem struct {
	// Path is the record file or directory; Kind the kind of record
	// ("ref", "index" or "pin").
	Path, Kind string
	// Err says what is wrong. It matches [ErrCorrupt], or [ErrSchema] for
	// a record of a newer schema.
	Err error
}

// kinds maps each records directory to the kind of record it holds.
var kinds = map[string]string{"refs": "ref", "indexes": "index", "pins": "pin", probesDir: "probe"}

// Check decodes every record file of the store and reports the ones that
// cannot be used, with n the number of record files read. It changes
// nothing on disk and goes on after a problem; a records directory that
// cannot be listed is a problem too. The error is for ctx only.
func (s *Store) Check(ctx context.Context) (n int, problems []RecordProblem, err error) {
	for _, sub := range append(recordDirs[:len(recordDirs):len(recordDirs)], probesDir) {
		dir := filepath.Join(s.dir, sub)
		des, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // never created: no record (probes/ is made by the first probe recorded)
		}
		if err != nil {
			problems = append(problems, RecordProblem{Path: dir, Kind: kinds[sub], Err: fmt.Errorf("listing records: %v: %w", err, ErrCorrupt)})
			continue
		}
		for _, de := range des {
			if err := ctx.Err(); err != nil {
				return n, problems, err
			}
			name := de.Name()
			if !isRecordName(name) {
				continue
			}
			p := filepath.Join(dir, name)
			gone, why := checkRecord(sub, p)
			if gone {
				continue
			}
			n++
			if why != nil {
				problems = append(problems, RecordProblem{Path: p, Kind: kinds[sub], Err: why})
			}
		}
	}
	return n, problems, nil
}

// isRecordName reports whether name, in a records directory, names a
// record rather than a temporary or set-aside file.
func isRecordName(name string) bool {
	return !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".json")
}

// checkRecord decodes the record file at path in the records directory
// sub. gone reports that it is not there.
func checkRecord(sub, path string) (gone bool, why error) {
	var rec Record
	switch sub {
	case "refs":
		rec = &Ref{}
	case "indexes":
		rec = &Index{}
	case probesDir:
		rec = &Probe{}
	default:
		rec = &Pin{}
	}
	err := Read(path, rec)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrSchema):
		return false, fmt.Errorf("%v: %w", err, ErrCorrupt) // unreadable
	case err != nil:
		return false, err
	}
	var kind, of, want string
	switch x := rec.(type) {
	case *Index:
		kind, of, want = "index", x.Digest.String(), x.Digest.Algorithm().String()+"-"+x.Digest.Encoded()+".json"
	case *Ref:
		kind, of, want = "ref", x.Name, nameKey(x.Name)
	case *Pin:
		kind, of, want = "pin", x.Name, nameKey(x.Name)
	case *Probe:
		kind, of, want = "probe", x.BinarySHA256.String(), x.BinarySHA256.Algorithm().String()+"-"+x.BinarySHA256.Encoded()+".json"
	}
	if filepath.Base(path) != want {
		// Misplaced: lookups by name never find it, and it may hide or
		// contradict the record that belongs there.
		return false, fmt.Errorf("%s record of %s is named %s, not %s: %w", kind, of, filepath.Base(path), want, ErrCorrupt)
	}
	return false, nil
}

// SetAside moves the record file at path, one of the store's, out of the
// way to "<name>.corrupt-<unix-nanoseconds>", if it is still unusable (a
// record of a newer schema is never moved). It returns the new name, or ""
// when the record is sound or gone by now (another process replaced it).
func (s *Store) SetAside(path string) (string, error) {
	sub := filepath.Base(filepath.Dir(path))
	if _, ok := kinds[sub]; !ok || filepath.Dir(filepath.Dir(path)) != filepath.Clean(s.dir) {
		return "", fmt.Errorf("%s is not a record file of %s", path, s.dir)
	}
	gone, why := checkRecord(sub, path)
	switch {
	case gone || why == nil:
		return "", nil
	case errors.Is(why, ErrSchema):
		return "", why
	}
	aside := path + ".corrupt-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		aside = filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".corrupt-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	}
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", &WriteError{Dir: s.dir, Op: "moving record " + filepath.Join(sub, filepath.Base(path)) + " aside", Err: err}
	}
	return filepath.Base(aside), nil
}

// A Leftover is a temporary record file that a writer killed before its
// rename left behind.
type Leftover struct {
	Path    string
	Bytes   int64
	ModTime time.Time
}

// Leftovers lists the temporary record files of the store
// (".<name>.tmp-<random>", see [WriteFile]) last written before cutoff: a
// writer renames its temporary file within moments, so an older one is
// the leftover of a dead writer. It changes nothing on disk.
func (s *Store) Leftovers(cutoff time.Time) ([]Leftover, error) {
	var out []Leftover
	for _, dir := range append(s.Dirs(), filepath.Join(s.dir, probesDir)) {
		des, err := os.ReadDir(dir)
		if err != nil {
			continue // reported by Check
		}
		for _, de := range des {
			n := de.Name()
			if !strings.HasPrefix(n, ".") || !strings.Contains(n, ".tmp-") {
				continue
			}
			fi, err := de.Info()
			if err != nil || !fi.ModTime().Before(cutoff) {
				continue
			}
			out = append(out, Leftover{Path: filepath.Join(dir, n), Bytes: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	return out, nil
}

// RemoveLeftover removes the temporary record file at path, one that
// [Store.Leftovers] listed.
func (s *Store) RemoveLeftover(path string) error {
	n := filepath.Base(path)
	if _, ok := kinds[filepath.Base(filepath.Dir(path))]; !ok || !strings.HasPrefix(n, ".") || !strings.Contains(n, ".tmp-") {
		return fmt.Errorf("%s is not a temporary record file", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &WriteError{Dir: s.dir, Op: "removing " + path, Err: err}
	}
	return nil
}
