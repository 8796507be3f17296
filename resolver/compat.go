package resolver

// checkRange returns an [*IncompatibleError] when the resolver has a range
// and res's version is outside it or unknown.
func (r *Resolver) checkRange(res *Result) error {
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
	err := &IncompatibleError{Ref: res.Ref, Digest: res.Digest, Platform: res.Platform, Version: res.Version, Range: r.cfg.rng.String(), Result: res}
	r.cfg.log.Info("incompatible", "ref", res.Ref, "digest", res.Digest, "platform", res.Platform, "version", res.Version, "range", err.Range)
	return err
}
