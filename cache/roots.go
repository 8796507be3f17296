package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
)

// Roots are what the records of a cache point at: the current digest of
// every recorded ref and every pin, with the platform manifests of those
// that are image indexes. [Cache.GC] never removes an entry they point at.
type Roots struct {
	refs map[digest.Digest][]string // manifest or index digest -> ref names
	pins map[digest.Digest][]string // manifest or index digest -> pin names
}

// Roots reads the ref, index and pin records. An index is expanded to its
// platform manifests from its record; when that record is missing, entries
// extracted from the index still count as pointed at (see [Roots.Refs]).
// Corrupt records are skipped and left where they are. Any
// other problem, such as a record of a newer schema, is returned with the
// roots that could be read: they may then be incomplete.
func (c *Cache) Roots(ctx context.Context) (*Roots, error) {
	r := &Roots{refs: map[digest.Digest][]string{}, pins: map[digest.Digest][]string{}}
	var errs []error
	refs, err := c.records.Refs()
	if err != nil {
		errs = append(errs, err)
	}
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		errs = append(errs, c.addRoot(r.refs, ref.Name, ref.Digest))
	}
	pins, err := c.records.Pins()
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range pins {
		errs = append(errs, c.addRoot(r.pins, p.Name, p.Digest))
		for _, m := range p.Platforms {
			add(r.pins, m.Digest, p.Name)
		}
	}
	return r, errors.Join(errs...)
}

// addRoot records that name points at d and, if d is an index with a
// record, at each of its platform manifests.
func (c *Cache) addRoot(to map[digest.Digest][]string, name string, d digest.Digest) error {
	add(to, d, name)
	x, err := c.records.Index(d)
	switch {
	case err == nil:
		for _, m := range x.Manifests {
			add(to, m.Digest, name)
		}
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, manifest.ErrCorrupt):
		return fmt.Errorf("reading what %s points at: %w", name, err)
	}
	return nil
}

func add(to map[digest.Digest][]string, d digest.Digest, name string) {
	if !slices.Contains(to[d], name) {
		to[d] = append(to[d], name)
	}
}

// Refs returns the names of the recorded refs whose current digest is the
// entry's manifest, or an index it was extracted from or that lists it,
// sorted.
func (r *Roots) Refs(e *Entry) []string { return r.of(r.refs, e) }

// Pins returns the names of the pins of the entry's manifest or of an index
// it was extracted from or that lists it, sorted.
func (r *Roots) Pins(e *Entry) []string { return r.of(r.pins, e) }

func (r *Roots) of(m map[digest.Digest][]string, e *Entry) []string {
	var out []string
	for _, d := range []digest.Digest{e.ManifestDigest, e.IndexDigest} {
		if d == "" {
			continue
		}
		for _, n := range m[d] {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}
