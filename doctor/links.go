package doctor

import (
	"context"
	"fmt"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
)

// CheckLinks examines the links of the cache c (the stable paths a
// gateway's supervisor_bin may be set to, see "Links" in package cache)
// and returns what it found with the problems to report: a link that is
// damaged ([cache.Cache.CheckLink]), [KindDamaged]; under a range, a link whose
// binary is outside it or of unknown version, [KindIncompatible]: a gateway started
// now would mount it. It changes nothing and contacts no registry.
func CheckLinks(ctx context.Context, c *cache.Cache, rng *compat.Range) ([]*cache.Link, []Problem, error) {
	links, err := c.Links(ctx)
	if err != nil {
		return nil, nil, err
	}
	var probs []Problem
	for _, l := range links {
		rm := Remedy{Action: ActionRelink, Ref: l.Ref, Link: l.Name}
		if rng != nil {
			rm.Range = rng.String()
		}
		switch {
		case l.Err != nil:
			probs = append(probs, Problem{Area: "link", Severity: SeverityProblem, Kind: KindDamaged, Message: l.Problem, Fix: rm.String(), Remedy: &rm})
		case rng != nil:
			if ok, _ := rng.Contains(l.Version); !ok {
				v := l.Version
				if v == "" {
					v = "of unknown version"
				}
				probs = append(probs, Problem{Area: "link", Severity: SeverityProblem, Kind: KindIncompatible, Fix: rm.String(), Remedy: &rm,
					Message: fmt.Sprintf("link %s names openshell-sandbox %s from %s, outside %q: a gateway whose supervisor_bin is %s mounts it when it starts", l.Name, v, l.Ref, rng, l.Path)})
			}
		}
	}
	return links, probs, nil
}

// checkLinks fills r.Links and adds their problems.
func (r *Report) checkLinks(ctx context.Context, c *cache.Cache, rng *compat.Range) error {
	links, probs, err := CheckLinks(ctx, c, rng)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.add("link", SeverityProblem, KindCache, err.Error(), "check the permissions of the cache's links directory")
		return nil
	}
	if links != nil {
		r.Links = links
	}
	r.Problems = append(r.Problems, probs...)
	return nil
}
