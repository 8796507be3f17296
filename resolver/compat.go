package resolver

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/supervisor"
)

// checkRange returns an [*IncompatibleError] when the resolver has a range
// and res's version is outside it or unknown.
//
// An unknown version is asked again first, with the resolver's probers,
// when what made it unknown may have been fixed since the binary was
// extracted — an engine started, an emulator registered, or the pull
// policy always — and else taken from the probe record (see
// learnVersion), so a binary whose --version hangs is not run on every
// use. A version learnt this way is in the result but not recorded in the
// entry; an unknown one comes with the methods tried (res.VersionAttempts).
func (r *Resolver) checkRange(ctx context.Context, res *Result) error {
	if res.Version == "" && res.VersionAttempts == nil && res.Path != "" {
		bin := supervisor.Binary{Path: res.Path, Name: r.programName(), Platform: r.cfg.platform}
		// A binary this resolve extracted was probed by it already.
		fresh := r.cfg.policy == PullAlways && !res.Extracted
		v, tried, err := r.learnVersion(ctx, bin, digest.NewDigestFromEncoded(digest.SHA256, res.BinarySHA256), fresh)
		if err != nil {
			return fmt.Errorf("%s: learning the version of %s: %w", res.Ref, res.Path, err)
		}
		if v.Known() {
			res.Version, res.VersionSource = v.Version, string(v.Method)
		} else {
			res.VersionAttempts = append([]supervisor.Attempt{}, tried...)
		}
	}
	if r.cfg.rng == nil {
		return nil
	}
	ok := false
	if res.Version != "" {
		ok, _ = r.cfg.rng.Contains(res.Version)
	}
	if ok {
		return nil
	}
	err := &IncompatibleError{Ref: res.Ref, Digest: res.Digest, Platform: res.Platform, Version: res.Version, Range: r.cfg.rng.String(),
		Tried: res.VersionAttempts, Result: res}
	r.cfg.log.Info("incompatible", "ref", res.Ref, "digest", res.Digest, "platform", res.Platform, "version", res.Version, "range", err.Range)
	return err
}

// recheck is freshness meeting compatibility: when the cached binary of a
// floating tag does not fit the range, the tag is checked once with the
// registry (one HEAD), whatever the age of its last check, before refusing:
// after a gateway upgrade the tag has usually moved on to a binary that
// fits. The refusal (refused) stands if the tag has not moved, the new
// binary does not fit either, or the registry cannot say.
func (r *Resolver) recheck(ctx, bounded context.Context, o *op, ref name.Reference, res *Result, refused error) (*Result, error) {
	tag, ok := ref.(name.Tag)
	if !ok || !errors.Is(refused, ErrIncompatible) || res.ResolvedFrom != FromCache || o.policy == PullNever || r.cfg.immutable(tag.TagStr()) {
		return nil, refused
	}
	always := *o // the same holds, under another policy
	always.policy = PullAlways
	now, err := r.resolveTag(ctx, bounded, &always, tag)
	if err != nil {
		r.cfg.log.Warn("could not check the tag after an incompatible binary", "ref", tag.Name(), "err", err)
		return nil, refused
	}
	if now.Digest == res.Digest {
		return nil, refused
	}
	if err := r.checkRange(ctx, now); err != nil {
		return nil, err
	}
	return now, nil
}
