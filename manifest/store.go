package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/opencontainers/go-digest"
)

// A Store holds the refs, indexes and pins of one cache directory. Entries
// live with their binaries and are read and written by package cache.
//
// A Store is safe for use by several goroutines and processes: each record is
// its own file, replaced atomically; when two processes write the same ref
// at once, the last rename wins and both documents are valid. A Store
// remembers the refs and indexes it read, and gives one again without
// reading it while one lstat shows its file unchanged (see memo).
type Store struct {
	dir  string
	memo memo // refs and indexes read
}

// recordDirs are the directories of the records a [Store] keeps, under its
// directory.
var recordDirs = []string{"refs", "indexes", "pins"}

// OpenStore returns the store rooted at dir, creating its directories
// (mode 0755 whatever the umask).
func OpenStore(dir string) (*Store, error) {
	s := &Store{dir: dir}
	for _, p := range s.Dirs() {
		if _, err := os.Lstat(p); err == nil {
			continue // the caller checks what is there
		}
		err := os.Mkdir(p, 0o755)
		if err == nil {
			err = os.Chmod(p, 0o755)
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("opening records in %s: %w", dir, err)
		}
	}
	return s, nil
}

// ExistingStore returns the store rooted at dir without creating
// anything: a records directory that does not exist holds no record, and
// the first write of a record in it fails until [OpenStore] creates it.
func ExistingStore(dir string) *Store { return &Store{dir: dir} }

// Dirs returns the directories the store keeps its records in.
func (s *Store) Dirs() []string {
	out := make([]string, len(recordDirs))
	for i, sub := range recordDirs {
		out[i] = filepath.Join(s.dir, sub)
	}
	return out
}

// Dir returns the directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

// nameKey maps a reference name to a file name.
func nameKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:16]) + ".json"
}

func (s *Store) refPath(name string) string { return filepath.Join(s.dir, "refs", nameKey(name)) }
func (s *Store) pinPath(name string) string { return filepath.Join(s.dir, "pins", nameKey(name)) }
func (s *Store) indexPath(d digest.Digest) string {
	return filepath.Join(s.dir, "indexes", d.Algorithm().String()+"-"+d.Encoded()+".json")
}

// Ref returns the record of the reference name. See [Read] for its errors;
// a missing record matches [fs.ErrNotExist]. A record file that cannot be
// read at all (a socket, a file the caller may not read, an I/O error) is
// corrupt too ([ErrCorrupt]): the caller treats it as absent and records
// the reference again, which replaces it.
func (s *Store) Ref(name string) (*Ref, error) {
	var r Ref
	p := s.refPath(name)
	if err := s.memo.read(p, &r); err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrSchema) {
			return nil, fmt.Errorf("ref record %s cannot be read (%v): %w", p, err, ErrCorrupt)
		}
		return nil, err
	}
	if r.Name != name {
		return nil, fmt.Errorf("ref record for %s names %s: %w", name, r.Name, ErrCorrupt)
	}
	return &r, nil
}

// PutRef writes the record of r.Name.
func (s *Store) PutRef(r *Ref) error { return WriteFile(s.refPath(r.Name), r) }

// Refs returns every readable ref record, sorted by name. Corrupt records are
// skipped; the first other error is returned with the refs
// that could be read.
func (s *Store) Refs() ([]Ref, error) {
	var out []Ref
	err := s.each("refs", func(p string) error {
		var r Ref
		err := Read(p, &r)
		if err == nil {
			out = append(out, r)
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Index returns the record of the image index d.
func (s *Store) Index(d digest.Digest) (*Index, error) {
	var x Index
	if err := s.memo.read(s.indexPath(d), &x); err != nil {
		return nil, err
	}
	if x.Digest != d {
		return nil, fmt.Errorf("index record for %s names %s: %w", d, x.Digest, ErrCorrupt)
	}
	return &x, nil
}

// PutIndex writes the record of x.Digest.
func (s *Store) PutIndex(x *Index) error { return WriteFile(s.indexPath(x.Digest), x) }

// PutPin writes the pin p.Name.
func (s *Store) PutPin(p *Pin) error { return WriteFile(s.pinPath(p.Name), p) }

// Pins returns every readable pin, sorted by name, like [Store.Refs].
func (s *Store) Pins() ([]Pin, error) {
	var out []Pin
	err := s.each("pins", func(p string) error {
		var pin Pin
		err := Read(p, &pin)
		if err == nil {
			out = append(out, pin)
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// each calls fn for every record file in sub, skipping corrupt ones and
// returning the first other error after visiting all.
func (s *Store) each(sub string, fn func(path string) error) error {
	des, err := os.ReadDir(filepath.Join(s.dir, sub))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var first error
	for _, de := range des {
		n := de.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") {
			continue
		}
		if err := fn(filepath.Join(s.dir, sub, n)); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}
