package resolver

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/google/go-containerregistry/pkg/name"
	digest "github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/remedy"
)

// resolveLocal serves ref from the engine's local image when the image
// source allows it. ok is false when the caller should go to the registry
// instead ([SourceRegistry], or [SourceAuto] without a usable local image).
func (r *Resolver) resolveLocal(ctx context.Context, o *op, raw string, ref name.Reference) (res *Result, ok bool, err error) {
	if r.cfg.imageSource == "" || r.cfg.imageSource == SourceRegistry {
		return nil, false, nil
	}
	only := r.cfg.imageSource == SourceEngine
	eng, err := r.cfg.local.Engine(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if only {
			return nil, false, fmt.Errorf("%s: local images: %w", ref.Name(), err)
		}
		r.cfg.log.Debug("no engine for local images", "ref", ref.Name(), "err", err)
		return nil, false, nil
	}
	img, err := eng.Image(ctx, raw)
	switch {
	case errors.Is(err, engine.ErrImageNotFound) && !only:
		return nil, false, nil
	case errors.Is(err, engine.ErrImageNotFound):
		return nil, false, &remedy.Error{Err: &notLocalError{msg: fmt.Sprintf("the engine at %s (from %s) has no image %s", eng.Endpoint().Host, eng.Endpoint().Why(), raw)},
			Fix: remedy.Remedy{Action: remedy.Registry, Before: "build or load it there, or "}}
	case err != nil:
		return nil, false, err
	}
	want := r.cfg.platform
	if img.Platform.OS != want.OS || img.Platform.Architecture != want.Architecture ||
		!variantMatches(want.Architecture, want.Variant, img.Platform.Variant) {
		if !only {
			r.cfg.log.Info("local image skipped", "ref", ref.Name(), "image_id", img.ID, "platform", platformString(img.Platform), "want", platformString(want))
			return nil, false, nil
		}
		return nil, false, &PlatformError{Ref: raw + " (in the engine)", Want: platformString(want), Have: []string{platformString(img.Platform)}}
	}
	id := digest.Digest(img.ID)
	if err := id.Validate(); err != nil {
		return nil, false, fmt.Errorf("%s: the engine gave image ID %q: %w", raw, img.ID, err)
	}
	e, extracted, err := r.extractLocal(ctx, o, eng, ref, id)
	if err != nil {
		return nil, false, err
	}
	res, err = r.result(ref, e, extracted)
	if err != nil {
		return nil, false, err
	}
	res.ResolvedFrom = FromEngine
	return res, true, nil
}

// extractLocal makes sure the cache holds the binary of the engine's image
// id, reading only that file from the engine.
func (r *Resolver) extractLocal(ctx context.Context, o *op, eng *engine.Engine, ref name.Reference, id digest.Digest) (*cache.Entry, bool, error) {
	fill, e, err := r.cache.Begin(ctx, r.key(id))
	if err != nil {
		return nil, false, err
	}
	if e != nil {
		r.cfg.log.Info("cache-hit", "ref", ref.Name(), "image_id", id.String(), "platform", e.Platform, "source", "engine")
		return e, false, nil
	}
	defer fill.Abort()
	err = eng.ReadFile(ctx, id.String(), r.cfg.file, func(rd io.Reader) error {
		tr := tar.NewReader(rd)
		hdr, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: the engine sent no %s: %w", ref.Name(), r.cfg.file, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: reading %s from the engine: %w", ref.Name(), r.cfg.file, err)
		}
		if n, ok := cleanName(hdr.Name); !ok || n != "/"+path.Base(r.cfg.file) {
			return fmt.Errorf("%s: the engine sent %q for %s: %w", ref.Name(), hdr.Name, r.cfg.file, ErrRefused)
		}
		if err := r.takeEntry(tr, hdr, fill); err != nil {
			return fmt.Errorf("%s: %w", ref.Name(), err)
		}
		if _, err := tr.Next(); err != io.EOF {
			return fmt.Errorf("%s: the engine sent more than %s: %w", ref.Name(), r.cfg.file, ErrRefused)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrNotFound) {
		return nil, false, fmt.Errorf("%s: no %s in the image: %w", ref.Name(), r.cfg.file, ErrNotFound)
	}
	if err != nil {
		return nil, false, err
	}
	e, err = r.checkAndCommit(ctx, o, ref, fill, manifest.Entry{
		Platform:    platformString(r.cfg.platform),
		LayerDigest: id,
		Source:      "engine",
	})
	if err != nil {
		return nil, false, err
	}
	r.cfg.log.Info("extracted", "ref", ref.Name(), "image_id", id.String(), "platform", e.Platform, "source", "engine",
		"version", e.Version, "version_source", e.VersionSource, "size", e.Size, "path", e.Path)
	return e, true, nil
}

// notLocalError reports an image the engine does not have. It matches
// [ErrNotFound] and [fs.ErrNotExist].
type notLocalError struct{ msg string }

func (e *notLocalError) Error() string { return e.msg }

func (e *notLocalError) Is(target error) bool {
	return target == ErrNotFound || target == fs.ErrNotExist
}
