package resolver

import (
	"context"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

// An op is what one call of the resolver decides for itself, as opposed
// to the resolver's configuration: it travels down the call, so that each
// step that touches the cache decides by it, and a [Resolver] stays one
// value shared by every call. The call's contexts travel beside it, as
// arguments.
type op struct {
	// policy is the call's pull policy: the resolver's, or PullAlways
	// while a refused binary's tag is checked again (recheck).
	policy PullPolicy
	// holds collects the holds of a call that holds its result
	// ([Resolver.ResolveAndHold]); it is nil in one that does not.
	holds *holdSet
}

// op returns the state of a call that holds nothing, under the resolver's
// pull policy.
func (r *Resolver) op() *op { return &op{policy: r.cfg.policy} }

// lookup is [cache.Cache.Lookup]; in a call that holds its result, it
// takes the entry's hold first, so that the entry it checks cannot be
// collected before the caller has it.
func (r *Resolver) lookup(ctx context.Context, o *op, k cache.Key) (*cache.Entry, error) {
	if o.holds == nil {
		return r.cache.Lookup(ctx, k)
	}
	if _, ok := o.holds.m[k]; ok {
		return r.cache.Lookup(ctx, k)
	}
	release, err := r.cache.Hold(ctx, k)
	if err != nil {
		return nil, err
	}
	e, err := r.cache.Lookup(ctx, k)
	if err != nil {
		return nil, withRelease(err, release())
	}
	o.holds.add(k, release)
	return e, nil
}

// commit is [cache.Fill.Commit]; in a call that holds its result, the
// entry is committed held ([cache.Fill.CommitAndHold]), so that no
// collection comes between its commit and its hold. Every extraction
// commits through it.
func (r *Resolver) commit(o *op, fill *cache.Fill, rec manifest.Entry) (*cache.Entry, error) {
	if o.holds == nil {
		return fill.Commit(rec)
	}
	e, release, err := fill.CommitAndHold(rec)
	if err != nil {
		return nil, err
	}
	o.holds.add(r.key(e.ManifestDigest), release)
	return e, nil
}
