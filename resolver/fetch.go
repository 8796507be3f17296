package resolver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/supervisor"
)

// fetch resolves ref with the registry by getting get (ref itself, or the
// digest ref now points at), trying mirrors before the origin.
func (r *Resolver) fetch(ctx context.Context, o *op, ref, get name.Reference) (*Result, error) {
	var res *Result
	err := r.reg.Each(ctx, get, "fetch", func(c *registry.Repo, src name.Reference) (err error) {
		res, err = r.fetchFrom(ctx, o, c, ref, src)
		return err
	})
	return res, err
}

// fetchFrom gets the manifest of get, selects the platform's image and
// makes sure its binary is in the cache.
func (r *Resolver) fetchFrom(ctx context.Context, o *op, c *registry.Repo, ref, get name.Reference) (*Result, error) {
	m, err := c.Manifest(ctx, get)
	if err != nil {
		return nil, err
	}
	now := r.cfg.now().UTC()
	top := digest.Digest(m.Digest.String())
	md, idx := top, digest.Digest("")
	var selected *v1.Platform // the index's platform of the manifest selected
	switch {
	case m.MediaType.IsIndex():
		im, err := v1.ParseIndexManifest(bytes.NewReader(m.Raw))
		if err != nil {
			return nil, fmt.Errorf("%s: the index does not parse: %v: %w", get, err, ErrRefused)
		}
		if err := r.cache.Records().PutIndex(indexRecord(top, im)); err != nil {
			return nil, err
		}
		d, err := selectManifest(im, r.cfg.platform)
		if err != nil {
			return nil, withRef(err, ref)
		}
		md, idx, selected = digest.Digest(d.Digest.String()), top, d.Platform
		if m, err = c.Manifest(ctx, get.Context().Digest(d.Digest.String())); err != nil {
			return nil, err
		}
		if !m.MediaType.IsImage() {
			return nil, fmt.Errorf("%s: the index's manifest for %s is a %s, not an image: %w", get, platformString(r.cfg.platform), m.MediaType, ErrNotFound)
		}
	case m.MediaType.IsImage():
	default:
		return nil, fmt.Errorf("%s is a %s, not an image or image index: %w", get, m.MediaType, ErrNotFound)
	}
	mf, err := v1.ParseManifest(bytes.NewReader(m.Raw))
	if err != nil {
		return nil, fmt.Errorf("%s: the manifest does not parse: %v: %w", get, err, ErrRefused)
	}
	e, extracted, err := r.extractFrom(ctx, o, ref, md, idx, &regImage{c: c, m: mf, indexed: selected})
	if err != nil {
		return nil, err
	}
	res, err := r.result(ref, e, extracted)
	if err != nil {
		return nil, err
	}
	res.IndexDigest = idx
	res.ResolvedFrom = FromRegistry
	if tag, ok := ref.(name.Tag); ok {
		rec := &manifest.Ref{Name: tag.Name(), Digest: top, CheckedAt: now}
		if err := r.cache.Records().PutRef(rec); err != nil {
			return nil, err
		}
		res.CheckedAt = now
	}
	return res, nil
}

func withRef(err error, ref name.Reference) error {
	var pe *PlatformError
	if errors.As(err, &pe) {
		pe.Ref = ref.Name()
	}
	return err
}

// extractFrom makes sure the cache holds the binary of the image manifest
// md: if another process is extracting it, extractFrom waits and reuses its
// work. The image's platform (from its config) must be the target's.
func (r *Resolver) extractFrom(ctx context.Context, o *op, ref name.Reference, md, idx digest.Digest, src imageSource) (*cache.Entry, bool, error) {
	fill, e, err := r.cache.Begin(ctx, r.key(md))
	if err != nil {
		return nil, false, err
	}
	if e != nil {
		return e, false, nil
	}
	defer fill.Abort()
	if why := fill.SetAside(); why != nil {
		r.cfg.log.Warn("set-aside", "digest", md.String(), "err", why)
	}
	plat, err := src.platform(ctx)
	if err != nil {
		return nil, false, registry.Classify(ctx, ref, err)
	}
	recorded := r.cfg.platform
	if plat != nil && plat.Architecture != "" {
		if !platformMatches(*plat, r.cfg.platform) {
			return nil, false, &PlatformError{Ref: ref.Name(), Want: platformString(r.cfg.platform), Have: []string{platformString(*plat)}}
		}
		recorded = v1.Platform{OS: plat.OS, Architecture: plat.Architecture, Variant: plat.Variant}
	}
	layer, err := r.findBinary(ctx, ref, src, fill)
	if err != nil {
		return nil, false, err
	}
	e, err = r.checkAndCommit(ctx, o, ref, fill, manifest.Entry{
		IndexDigest: idx,
		Platform:    platformString(recorded),
		LayerDigest: digest.Digest(layer.String()),
	})
	if err != nil {
		return nil, false, err
	}
	r.cfg.log.Info("extracted", "ref", ref.Name(), "digest", md.String(), "platform", e.Platform, "layer", layer.String(),
		"version", e.Version, "version_source", e.VersionSource, "size", e.Size, "path", e.Path)
	return e, true, nil
}

// checkAndCommit is the end of every extraction, from a registry or from
// the engine: it seals the binary written to fill, refuses it unless it is
// an ELF binary for the target platform, learns its version and commits
// rec, completed with the reference and the version, by [Resolver.commit]
// (held in a call that holds its result).
func (r *Resolver) checkAndCommit(ctx context.Context, o *op, ref name.Reference, fill *cache.Fill, rec manifest.Entry) (*cache.Entry, error) {
	p, sum, err := fill.Seal()
	if err != nil {
		return nil, err
	}
	if err := checkELF(p, r.cfg.platform); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", ref.Name(), r.cfg.file, err)
	}
	bin := supervisor.Binary{Path: p, Name: r.programName(), Platform: r.cfg.platform}
	v, _, probe, err := r.probeVersion(ctx, bin, sum, o.policy == PullAlways)
	if err != nil {
		return nil, fmt.Errorf("%s: learning the version of %s: %w", ref.Name(), r.cfg.file, err)
	}
	if probe != nil {
		// The probe record, in its own directory, is written (and synced)
		// while the entry is committed; it is done when this returns.
		recorded := make(chan struct{})
		go func() {
			defer close(recorded)
			r.putProbe(probe)
		}()
		defer func() { <-recorded }()
	}
	rec.Ref = ref.Name()
	rec.Registry, rec.Repository = ref.Context().RegistryStr(), ref.Context().RepositoryStr()
	rec.Version, rec.VersionSource = v.Version, string(v.Method)
	return r.commit(o, fill, rec)
}

// checkELF refuses a file that is not an ELF binary for platform.
func checkELF(p string, platform v1.Platform) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	// Without its name: the file is still in a temporary directory.
	if err := supervisor.CheckELF(struct{ io.ReaderAt }{f}, platform); err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return nil
}

// indexRecord makes the record of an image index.
func indexRecord(d digest.Digest, im *v1.IndexManifest) *manifest.Index {
	x := &manifest.Index{Digest: d}
	for _, m := range im.Manifests {
		if m.Platform == nil || m.Platform.OS == "" || m.Platform.Architecture == "" {
			continue
		}
		x.Manifests = append(x.Manifests, manifest.Platform{Platform: platformString(*m.Platform), Digest: digest.Digest(m.Digest.String())})
	}
	return x
}

// indexFromRecord turns an index record back into the index's manifest
// list, for platform selection.
func indexFromRecord(x *manifest.Index) *v1.IndexManifest {
	im := &v1.IndexManifest{}
	for _, m := range x.Manifests {
		p, err := ParsePlatform(m.Platform)
		if err != nil {
			continue
		}
		h, err := v1.NewHash(m.Digest.String())
		if err != nil {
			continue
		}
		im.Manifests = append(im.Manifests, v1.Descriptor{Digest: h, Platform: &p})
	}
	return im
}
