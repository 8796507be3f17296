package resolver

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/supervisor"
)

// fetch resolves ref with the registry by getting get (ref itself, or the
// digest ref now points at), trying mirrors before the origin.
func (r *Resolver) fetch(ctx context.Context, ref, get name.Reference) (*Result, error) {
	var err error
	cands := r.candidates(get)
	for i, c := range cands {
		var res *Result
		if res, err = r.fetchFrom(ctx, ref, c); err == nil {
			return res, nil
		}
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		if i < len(cands)-1 {
			r.cfg.log.Warn("mirror failed; trying the next source", "mirror", c.Context().RegistryStr(), "err", err)
		}
	}
	return nil, err
}

// fetchFrom gets the manifest of get, selects the platform's image and
// makes sure its binary is in the cache.
func (r *Resolver) fetchFrom(ctx context.Context, ref, get name.Reference) (*Result, error) {
	desc, err := remote.Get(get, r.remoteOptions(ctx)...)
	if err != nil {
		return nil, classify(get, err)
	}
	now := r.cfg.now().UTC()
	top := digest.Digest(desc.Digest.String())
	md, idx := top, digest.Digest("")
	var open func() (v1.Image, error)
	switch {
	case desc.MediaType.IsIndex():
		ii, err := desc.ImageIndex()
		if err != nil {
			return nil, classify(get, err)
		}
		im, err := ii.IndexManifest()
		if err != nil {
			return nil, classify(get, err)
		}
		if err := r.cache.Records().PutIndex(indexRecord(top, im)); err != nil {
			return nil, err
		}
		d, err := selectManifest(im, r.cfg.platform)
		if err != nil {
			var pe *PlatformError
			if errors.As(err, &pe) {
				pe.Ref = ref.Name()
			}
			return nil, err
		}
		md, idx = digest.Digest(d.Digest.String()), top
		open = func() (v1.Image, error) { return ii.Image(d.Digest) }
	case desc.MediaType.IsImage():
		open = desc.Image
	default:
		return nil, fmt.Errorf("%s is a %s, not an image or image index: %w", get, desc.MediaType, ErrNotFound)
	}
	e, extracted, err := r.extract(ctx, ref, md, idx, open)
	if err != nil {
		return nil, err
	}
	res := r.result(ref, e, extracted)
	res.IndexDigest = idx.String()
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

// extract makes sure the cache holds the binary of the image manifest md:
// if another process is extracting it, extract waits and reuses its work.
func (r *Resolver) extract(ctx context.Context, ref name.Reference, md, idx digest.Digest, open func() (v1.Image, error)) (*cache.Entry, bool, error) {
	fill, e, err := r.cache.Begin(ctx, r.key(md))
	if err != nil {
		return nil, false, err
	}
	if e != nil {
		return e, false, nil
	}
	defer fill.Abort()
	img, err := open()
	if err != nil {
		return nil, false, classify(ref, err)
	}
	layer, err := r.findBinary(ctx, ref, img, fill)
	if err != nil {
		return nil, false, err
	}
	p, _, err := fill.Seal()
	if err != nil {
		return nil, false, err
	}
	if err := checkELF(p, r.cfg.platform); err != nil {
		return nil, false, fmt.Errorf("%s: %s: %w", ref.Name(), r.cfg.file, err)
	}
	bin := supervisor.Binary{Path: p, Name: r.programName(), Platform: r.cfg.platform}
	v, err := supervisor.Detect(ctx, bin, r.cfg.probers...)
	if err != nil {
		return nil, false, fmt.Errorf("%s: learning the version of %s: %w", ref.Name(), r.cfg.file, err)
	}
	e, err = r.commit(fill, manifest.Entry{
		Ref:           ref.Name(),
		Registry:      ref.Context().RegistryStr(),
		Repository:    ref.Context().RepositoryStr(),
		IndexDigest:   idx,
		Platform:      platformString(r.cfg.platform),
		LayerDigest:   digest.Digest(layer.String()),
		Version:       v.Version,
		VersionSource: string(v.Source),
	})
	if err != nil {
		return nil, false, err
	}
	r.cfg.log.Info("extracted", "ref", ref.Name(), "digest", md.String(), "platform", e.Platform, "layer", layer.String(),
		"version", e.Version, "version_source", e.VersionSource, "size", e.Size, "path", e.Path)
	return e, true, nil
}

// checkELF refuses a file that is not an ELF binary for platform.
func checkELF(p string, platform v1.Platform) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := supervisor.CheckELF(f, platform); err != nil {
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
