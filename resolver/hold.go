package resolver

import (
	"context"
	"errors"

	"github.com/openshell-contrib/supctl/cache"
)

// A Held is a resolved supervisor whose cache entry is held in use until
// [Held.Release]: garbage collection keeps it and no process replaces it.
// A gateway keeps the supervisor it bind-mounts held for as long as
// sandboxes run from it. The hold is a shared lock that the kernel drops
// when the process exits, so a killed gateway never leaves it held.
type Held struct {
	Result
	release func() error
}

// Release ends the hold. It may be called more than once; only the first
// call does anything.
func (h *Held) Release() error {
	if h == nil || h.release == nil {
		return nil
	}
	release := h.release
	h.release = nil
	return release()
}

// holdAttempts bounds how often [Resolver.ResolveAndHold] resolves again
// because a collection removed an entry it had just extracted, before it
// could hold it.
const holdAttempts = 3

// ResolveAndHold resolves ref as [Resolver.Resolve] does and returns the
// result with its cache entry held: the one call a gateway makes for the
// supervisor it bind-mounts. It is safe against a concurrent "supctl gc" by
// construction: an entry found in the cache is held before its final
// check, and an entry this call extracts is committed held, so a result
// returned is both sound and held. Only an entry another process filled
// while this one waited can be collected before it is held; it is then
// resolved again, at most [holdAttempts] times in all.
//
// Its errors are those of Resolve. The caller must call [Held.Release]
// when no sandbox runs from the binary any more.
func (r *Resolver) ResolveAndHold(ctx context.Context, ref string) (*Held, error) {
	for attempt := 1; ; attempt++ {
		h, collected, err := r.resolveAndHold(ctx, ref)
		if !collected || attempt == holdAttempts || ctx.Err() != nil {
			return h, err
		}
		r.cfg.log.Warn("entry collected before it was held; resolving again", "ref", ref, "err", err)
	}
}

// resolveAndHold is one attempt of ResolveAndHold; collected reports that
// the entry resolved went before it could be held.
func (r *Resolver) resolveAndHold(ctx context.Context, ref string) (h *Held, collected bool, err error) {
	o := r.op()
	o.holds = &holdSet{}
	res, err := r.resolve(ctx, o, ref)
	if err != nil {
		return nil, false, withRelease(err, o.holds.releaseExcept(cache.Key{}))
	}
	k := r.key(res.Digest)
	if _, ok := o.holds.m[k]; !ok {
		// Filled by another process: hold it now, and take what the result
		// says about the binary from the check made under the hold.
		e, err := r.lookup(ctx, o, k)
		if err != nil {
			return nil, errors.Is(err, ErrNotCached), withRelease(err, o.holds.releaseExcept(cache.Key{}))
		}
		res.Path, res.Version, res.VersionSource = e.Path, e.Version, e.VersionSource
		res.BinarySHA256, res.Size = e.BinarySHA256.Encoded(), e.Size
	}
	if err := o.holds.releaseExcept(k); err != nil {
		o.holds.releaseExcept(cache.Key{})
		return nil, false, err
	}
	return &Held{Result: *res, release: o.holds.m[k]}, false, nil
}

// withRelease is err, joined with the error of releasing a hold, if any.
func withRelease(err, release error) error {
	if release == nil {
		return err
	}
	return errors.Join(err, release)
}

// A holdSet collects the holds a resolve takes, by entry.
type holdSet struct {
	m map[cache.Key]func() error
}

func (s *holdSet) add(k cache.Key, release func() error) {
	if s.m == nil {
		s.m = map[cache.Key]func() error{}
	}
	s.m[k] = release
}

// releaseExcept releases every hold but the one on k.
func (s *holdSet) releaseExcept(k cache.Key) error {
	var errs []error
	for hk, release := range s.m {
		if hk != k {
			errs = append(errs, release())
			delete(s.m, hk)
		}
	}
	return errors.Join(errs...)
}

// Hold marks the cache entry of res in use until release is called. A
// result from [Resolver.Resolve] may have been collected by then: it
// returns an error matching [ErrNotCached] if the entry went away since res
// was resolved (resolve again), and fails for a result that is not a cache
// entry (a local file). [Resolver.ResolveAndHold] does both in one call,
// without the retry.
func (r *Resolver) Hold(ctx context.Context, res *Result) (release func() error, err error) {
	if res == nil || res.ResolvedFrom == FromFile || res.Digest == "" {
		return nil, errors.New("only a binary in the cache can be held")
	}
	return r.cache.Hold(ctx, r.key(res.Digest))
}
