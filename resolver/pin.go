package resolver

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/remedy"
)

// A Pin is an image reference frozen to an immutable digest, with the
// binaries it was checked for.
type Pin struct {
	// Ref is the reference pinned, fully qualified.
	Ref string `json:"ref"`
	// Digest is the immutable digest: the index's when the reference names
	// an index, else the image manifest's.
	Digest digest.Digest `json:"digest"`
	// Image is "<repository>@<digest>", the value to configure.
	Image string `json:"image"`
	// Range is the range every binary was checked against, if any.
	Range string `json:"range,omitempty"`
	// Platforms holds the checked binary of each platform.
	Platforms []*Result `json:"platforms"`
}

// DefaultPinPlatforms returns the platforms [Resolver.Pin] checks when
// given none: those a gateway may run on, linux/amd64 and linux/arm64.
func DefaultPinPlatforms() []string { return []string{"linux/amd64", "linux/arm64"} }

// Pin resolves ref to its immutable digest now, always with the registry
// (its mirrors allowed): never from a cached or stale record, so a release
// step cannot pin an old digest; a registry that cannot be reached is an
// error matching [ErrUnreachable], even with the tag recorded. It then makes
// sure the binary of every platform is extractable, built for the platform
// and in the resolver's range, and records the pin so that garbage
// collection keeps its entries. Every platform is resolved from the same
// digest, so a tag that moves meanwhile cannot mix images. Its errors are
// those of [Resolver.Resolve] (see Errors in the package documentation),
// and one matching [ErrNotFound] for a single-platform image asked to be
// pinned for several platforms.
func (r *Resolver) Pin(ctx context.Context, ref string, platforms ...string) (*Pin, error) {
	if len(platforms) == 0 {
		platforms = DefaultPinPlatforms()
	}
	var pls []v1.Platform
	for _, s := range platforms {
		p, err := ParsePlatform(s)
		if err != nil {
			return nil, err
		}
		pls = append(pls, p)
	}
	parsed, err := r.parse(ref)
	if err != nil {
		return nil, err
	}
	if r.cfg.policy == PullNever {
		return nil, fmt.Errorf("pin %s: a pin always asks the registry, and the pull policy is never: %w", parsed.Name(), ErrUnreachable)
	}
	bounded, cancel := r.opContext(ctx)
	defer cancel()
	desc, err := r.reg.Head(bounded, parsed)
	if err != nil {
		return nil, err
	}
	now := r.cfg.now().UTC()
	digestRef := parsed.Context().Name() + "@" + desc.Digest.String()
	if tag, ok := parsed.(name.Tag); ok {
		r.cfg.log.Info("checked", "ref", tag.Name(), "digest", desc.Digest.String())
		if err := r.cache.Records().PutRef(&manifest.Ref{Name: tag.Name(), Digest: digest.Digest(desc.Digest.String()), CheckedAt: now}); err != nil {
			return nil, err
		}
	}
	first := r.with(pls[0])
	first.cfg.policy = PullIfStale
	first.cfg.timeout = 0 // the operation's context bounds it
	res, err := first.Resolve(bounded, digestRef)
	if err != nil {
		return nil, err
	}
	res.Ref, res.ResolvedFrom, res.CheckedAt = parsed.Name(), FromRegistry, now
	top := res.IndexDigest
	if top == "" {
		top = res.Digest
		if len(pls) > 1 {
			return nil, &remedy.Error{Err: fmt.Errorf("%s is a single-platform image (%s), so it cannot be pinned for %d platforms: %w",
				res.Ref, res.Digest, len(pls), ErrNotFound), Fix: remedy.Remedy{Action: remedy.OnePlatform}}
		}
	}
	image := parsed.Context().Name() + "@" + top.String()
	pin := &Pin{Ref: parsed.Name(), Digest: top, Image: image, Platforms: []*Result{res}}
	if r.cfg.rng != nil {
		pin.Range = r.cfg.rng.String()
	}
	for _, p := range pls[1:] {
		res, err := first.with(p).Resolve(bounded, image)
		if err != nil {
			return nil, err
		}
		pin.Platforms = append(pin.Platforms, res)
	}
	rec := &manifest.Pin{Name: pin.Ref, Digest: top, Range: pin.Range, PinnedAt: r.cfg.now().UTC().Truncate(time.Second)}
	for _, res := range pin.Platforms {
		rec.Platforms = append(rec.Platforms, manifest.Platform{Platform: res.Platform, Digest: res.Digest})
	}
	if err := r.cache.Records().PutPin(rec); err != nil {
		return nil, err
	}
	return pin, nil
}

// with returns a copy of r that targets platform p.
func (r *Resolver) with(p v1.Platform) *Resolver {
	c := *r
	c.cfg.platform = p
	return &c
}
