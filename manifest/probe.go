package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
)

// A Probe records how the version of one binary, named by its bytes'
// digest, was sought: what each method answered, and what on this host
// each answer depended on (an engine, an emulator). A binary whose
// --version hangs or fails then costs its timeout once, not on every use:
// the record is believed while every method's environment is as recorded.
type Probe struct {
	SchemaVersion int `json:"schemaVersion"`
	// BinarySHA256 is the digest of the binary's bytes.
	BinarySHA256 digest.Digest `json:"binarySha256"`
	// Platform is the platform the binary was probed as, "os/arch[/variant]".
	Platform string `json:"platform"`
	// Version is the version learnt, "" when unknown; VersionSource the
	// method that answered ("unknown" when none did).
	Version       string `json:"version"`
	VersionSource string `json:"versionSource"`
	// Methods are the methods asked, in the order they were asked (not
	// sorted: the order is the answer's).
	Methods  []ProbeMethod `json:"methods"`
	ProbedAt time.Time     `json:"probedAt"`
}

// A ProbeMethod is one method of a [Probe].
type ProbeMethod struct {
	// Method is e.g. "run", "engine", "go-buildinfo", "elf-string".
	Method string `json:"method"`
	// Env describes what the method's answer depended on ("" when only on
	// the binary's bytes), as the prober described it before asking.
	Env string `json:"env,omitempty"`
	// Answered is true for the method that learnt the version. For the
	// others, NotApplicable, Reason and Fix say why they could not (a
	// timeout included) and what would fix it.
	Answered      bool   `json:"answered,omitempty"`
	NotApplicable bool   `json:"notApplicable,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Fix           string `json:"fix,omitempty"`
}

// Validate reports whether p is complete and well formed.
func (p *Probe) Validate() error {
	if err := p.BinarySHA256.Validate(); err != nil || p.BinarySHA256.Algorithm() != digest.SHA256 {
		return fmt.Errorf("probe record: binary digest %q is not a sha256 digest", p.BinarySHA256)
	}
	switch {
	case p.Platform == "":
		return fmt.Errorf("probe record of %s has no platform", p.BinarySHA256)
	case p.ProbedAt.IsZero():
		return fmt.Errorf("probe record of %s has no time", p.BinarySHA256)
	case (p.Version == "") != (p.VersionSource == "unknown"):
		return fmt.Errorf("probe record of %s: version %q does not agree with its source %q", p.BinarySHA256, p.Version, p.VersionSource)
	}
	for _, m := range p.Methods {
		if m.Method == "" {
			return fmt.Errorf("probe record of %s lists a method without a name", p.BinarySHA256)
		}
	}
	return nil
}

func (p *Probe) schema() *int { return &p.SchemaVersion }

// probesDir is the records directory of probes. Unlike the others it is
// made when the first probe is recorded, not when the store is opened.
const probesDir = "probes"

func (s *Store) probePath(d digest.Digest) string {
	return filepath.Join(s.dir, probesDir, d.Algorithm().String()+"-"+d.Encoded()+".json")
}

// Probe returns the probe record of the binary whose digest is d. See
// [Read] for its errors; a missing record, or a probes directory that is
// not the caller's own, matches [fs.ErrNotExist].
func (s *Store) Probe(d digest.Digest) (*Probe, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("probe record of %q: %w", d, err)
	}
	if err := ownDir(filepath.Join(s.dir, probesDir)); err != nil {
		return nil, err
	}
	var p Probe
	if err := Read(s.probePath(d), &p); err != nil {
		return nil, err
	}
	if p.BinarySHA256 != d {
		return nil, fmt.Errorf("probe record for %s names %s: %w", d, p.BinarySHA256, ErrCorrupt)
	}
	return &p, nil
}

// PutProbe writes the probe record of p.BinarySHA256, making the probes
// directory (mode 0755) if need be.
func (s *Store) PutProbe(p *Probe) error {
	if err := p.BinarySHA256.Validate(); err != nil {
		return fmt.Errorf("writing a probe record: %w", err)
	}
	dir := filepath.Join(s.dir, probesDir)
	if err := os.Mkdir(dir, 0o755); err == nil {
		err = os.Chmod(dir, 0o755)
		if err != nil {
			return writeError(dir, err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return writeError(dir, err)
	}
	if err := ownDir(dir); err != nil {
		return fmt.Errorf("writing a probe record: %w", err)
	}
	return WriteFile(s.probePath(p.BinarySHA256), p)
}

// ownDir checks that dir is a directory of the caller's that no one else
// may write, not a symbolic link; else it is as good as absent.
func ownDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: %w", dir, fs.ErrNotExist)
	}
	if err := ownedByCaller(fi); err != nil {
		return fmt.Errorf("%s %v: %w", dir, err, fs.ErrNotExist)
	}
	return nil
}
