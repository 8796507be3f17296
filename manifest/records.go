package manifest

import (
	"fmt"
	"sort"
	"time"

	"github.com/opencontainers/go-digest"
)

// SchemaVersion is the version of the record documents this package writes.
const SchemaVersion = 1

// An Entry describes one extracted supervisor binary: where it came from and
// what it is. It is written once, when the entry is committed to the cache,
// and never changed afterwards.
type Entry struct {
	SchemaVersion int `json:"schemaVersion"`
	// Ref is the image reference the entry was extracted for.
	Ref string `json:"ref"`
	// Registry and Repository locate the image, e.g. "ghcr.io" and
	// "nvidia/openshell/supervisor".
	Registry   string `json:"registry"`
	Repository string `json:"repository"`
	// IndexDigest is the digest of the image index the manifest was selected
	// from, or empty when the reference named a single image manifest.
	IndexDigest digest.Digest `json:"indexDigest,omitempty"`
	// ManifestDigest is the digest of the platform's image manifest.
	ManifestDigest digest.Digest `json:"manifestDigest"`
	// Platform is "os/arch" or "os/arch/variant".
	Platform string `json:"platform"`
	// LayerDigest is the compressed digest of the layer the binary came from.
	LayerDigest digest.Digest `json:"layerDigest"`
	// File is the binary's path inside the image, e.g. "/openshell-sandbox".
	File string `json:"file"`
	// BinarySHA256 is the digest of the binary's bytes; Size its length.
	BinarySHA256 digest.Digest `json:"binarySha256"`
	Size         int64         `json:"size"`
	// Version is what the binary reports as its version, or "" when unknown;
	// VersionSource says how it was learned ("run", "go-buildinfo",
	// "elf-string", "engine" or "unknown").
	Version       string    `json:"version"`
	VersionSource string    `json:"versionSource"`
	ExtractedAt   time.Time `json:"extractedAt"`
	// Source says where the image came from: "" (or "registry") for a
	// registry; "engine" for an image read from a container engine's local
	// images, whose ManifestDigest and LayerDigest then both hold the
	// engine's image ID (the engine does not say which layer a file is in).
	Source string `json:"source,omitempty"`
}

// Validate reports whether e is complete and well formed.
func (e *Entry) Validate() error {
	switch {
	case e.Ref == "" || e.Registry == "" || e.Repository == "":
		return fmt.Errorf("entry has no image reference")
	case e.Platform == "":
		return fmt.Errorf("entry has no platform")
	case e.File == "":
		return fmt.Errorf("entry has no file path")
	case e.Size < 0:
		return fmt.Errorf("entry has negative size %d", e.Size)
	case e.ExtractedAt.IsZero():
		return fmt.Errorf("entry has no extraction time")
	case (e.Version == "") != (e.VersionSource == "unknown"):
		return fmt.Errorf("entry version %q does not agree with its source %q", e.Version, e.VersionSource)
	}
	if e.IndexDigest != "" {
		if err := e.IndexDigest.Validate(); err != nil {
			return fmt.Errorf("entry index digest: %w", err)
		}
	}
	for _, d := range []digest.Digest{e.ManifestDigest, e.LayerDigest} {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("entry digest %q: %w", d, err)
		}
	}
	if err := e.BinarySHA256.Validate(); err != nil || e.BinarySHA256.Algorithm() != digest.SHA256 {
		return fmt.Errorf("entry binary digest %q is not a sha256 digest", e.BinarySHA256)
	}
	return nil
}

// A Ref records what an image reference pointed at when it was last checked
// against its registry.
type Ref struct {
	SchemaVersion int `json:"schemaVersion"`
	// Name is the fully qualified reference, e.g.
	// "ghcr.io/nvidia/openshell/supervisor:dev".
	Name string `json:"ref"`
	// Digest is the digest the reference resolved to: an image index or a
	// single image manifest.
	Digest digest.Digest `json:"digest"`
	// CheckedAt is when the registry last confirmed Digest.
	CheckedAt time.Time `json:"checkedAt"`
}

// Validate reports whether r is complete and well formed.
func (r *Ref) Validate() error {
	if r.Name == "" {
		return fmt.Errorf("ref record has no name")
	}
	if err := r.Digest.Validate(); err != nil {
		return fmt.Errorf("ref %s: digest %q: %w", r.Name, r.Digest, err)
	}
	if r.CheckedAt.IsZero() {
		return fmt.Errorf("ref %s has no check time", r.Name)
	}
	return nil
}

// An Index records the platform manifests an image index lists. Indexes are
// content: the record for a digest never changes.
type Index struct {
	SchemaVersion int           `json:"schemaVersion"`
	Digest        digest.Digest `json:"digest"`
	Manifests     []Platform    `json:"manifests"`
}

// A Platform is one manifest of an index.
type Platform struct {
	// Platform is "os/arch" or "os/arch/variant".
	Platform string        `json:"platform"`
	Digest   digest.Digest `json:"digest"`
}

// Validate reports whether x is well formed, and sorts its manifests.
func (x *Index) Validate() error {
	if err := x.Digest.Validate(); err != nil {
		return fmt.Errorf("index digest %q: %w", x.Digest, err)
	}
	for _, m := range x.Manifests {
		if m.Platform == "" {
			return fmt.Errorf("index %s lists a manifest without a platform", x.Digest)
		}
		if err := m.Digest.Validate(); err != nil {
			return fmt.Errorf("index %s: manifest digest %q: %w", x.Digest, m.Digest, err)
		}
	}
	sort.Slice(x.Manifests, func(i, j int) bool {
		if x.Manifests[i].Platform != x.Manifests[j].Platform {
			return x.Manifests[i].Platform < x.Manifests[j].Platform
		}
		return x.Manifests[i].Digest < x.Manifests[j].Digest
	})
	return nil
}

// A Pin freezes an image reference to an immutable digest, for example the
// supervisor image a gateway release was built against. Pinned entries are
// never garbage collected.
type Pin struct {
	SchemaVersion int `json:"schemaVersion"`
	// Name is the reference that was pinned, as given.
	Name string `json:"ref"`
	// Digest is the immutable digest it was pinned to.
	Digest digest.Digest `json:"digest"`
	// Range is the compatibility range the pinned binaries were checked
	// against, if any.
	Range string `json:"range,omitempty"`
	// Platforms lists the platform manifests checked when pinning.
	Platforms []Platform `json:"platforms"`
	PinnedAt  time.Time  `json:"pinnedAt"`
}

// Validate reports whether p is complete and well formed, and sorts its
// platforms.
func (p *Pin) Validate() error {
	if p.Name == "" {
		return fmt.Errorf("pin has no reference")
	}
	x := Index{Digest: p.Digest, Manifests: p.Platforms}
	if err := x.Validate(); err != nil {
		return fmt.Errorf("pin %s: %w", p.Name, err)
	}
	if p.PinnedAt.IsZero() {
		return fmt.Errorf("pin %s has no time", p.Name)
	}
	return nil
}
