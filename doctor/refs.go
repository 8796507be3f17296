package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/remedy"
	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

// checkRefs looks up every reference asked about, or every recorded one.
func (r *Report) checkRefs(ctx context.Context, c *cache.Cache, cfg config) error {
	refs := cfg.refs
	asked := len(refs) > 0
	if !asked {
		recs, err := c.Records().Refs()
		if err != nil {
			r.add("cache", SeverityWarning, KindCache, fmt.Sprintf("reading the ref records: %v", err), "run \"supctl verify\"")
		}
		for _, rec := range recs {
			refs = append(refs, rec.Name)
		}
		sort.Strings(refs)
	}
	opts := []resolver.Option{resolver.WithPullPolicy(resolver.PullNever), resolver.WithPlatform(cfg.platform),
		resolver.WithProbers(recordedOnly{}), resolver.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	if cfg.rng != nil {
		opts = append(opts, resolver.WithRange(cfg.rng))
	}
	res, err := resolver.New(c, opts...)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		rr := r.checkRef(ctx, c, res, cfg, ref, asked)
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Refs = append(r.Refs, rr)
	}
	return nil
}

func (r *Report) checkRef(ctx context.Context, c *cache.Cache, res *resolver.Resolver, cfg config, ref string, asked bool) Ref {
	rr := Ref{Ref: ref, Platform: cfg.platform}
	if cfg.rng != nil {
		rr.Range = cfg.rng.String()
	}
	got, err := res.Resolve(ctx, ref)
	var ie *resolver.IncompatibleError
	switch {
	case errors.As(err, &ie):
		got = ie.Result
		rr.Verdict = VerdictIncompatible
		if ie.Version == "" {
			rr.Verdict = VerdictUnknown
		}
		what := fmt.Sprintf("supervisor %s (%s, %s)", ie.Ref, ie.Digest, ie.Platform)
		if ie.Version == "" {
			r.add("ref", SeverityProblem, KindIncompatible, fmt.Sprintf("%s has an unknown version and the range %q is required", what, ie.Range),
				fmt.Sprintf("start or point DOCKER_HOST to an engine that can run %s binaries, install qemu-user-static on this host, or pin a digest whose version was checked elsewhere", ie.Platform))
		} else {
			r.addRemedy("ref", SeverityProblem, KindIncompatible, fmt.Sprintf("%s is version %s, outside the required range %q", what, ie.Version, ie.Range),
				Remedy{Action: ActionRepull, Ref: ie.Ref})
		}
	case errors.Is(err, resolver.ErrNotCached):
		rr.Verdict = VerdictNotCached
		sev := SeverityWarning
		if asked {
			sev = SeverityProblem
		}
		r.addRemedy("ref", sev, KindNotCached, fmt.Sprintf("%s is not cached for %s", ref, cfg.platform), Remedy{Action: ActionPull, Ref: ref, Platform: cfg.platform})
	case errors.Is(err, resolver.ErrNotFound):
		rr.Verdict, rr.Error = VerdictNotCached, err.Error()
		r.addSaid("ref", SeverityProblem, KindNotCached, err.Error(), remedyOf(err), Remedy{Action: remedy.Platform, After: ", or a reference that has this one"})
	case err != nil:
		rr.Verdict, rr.Error = VerdictError, err.Error()
		r.add("ref", SeverityProblem, KindLookup, err.Error(), fmt.Sprintf("run \"supctl verify\", then \"supctl pull %s\"", ref))
	case cfg.rng == nil:
		rr.Verdict = VerdictNoRange
	default:
		rr.Verdict = VerdictCompatible
	}
	if got != nil {
		rr.Ref, rr.Digest, rr.IndexDigest, rr.Version, rr.VersionSource, rr.Path = got.Ref, got.Digest, got.IndexDigest, got.Version, got.VersionSource, got.Path
		if rr.VersionSource == "" {
			rr.VersionSource = "unknown"
		}
		rr.CheckedAt = got.CheckedAt
	}
	if !rr.CheckedAt.IsZero() {
		age := cfg.now().Sub(rr.CheckedAt).Round(time.Second)
		rr.Age = age.String()
		if t, err := name.NewTag(ref); err == nil && !resolver.IsReleaseTag(t.TagStr()) && age > cfg.maxAge {
			if _, derr := name.NewDigest(ref); derr != nil {
				rr.Stale = true
			}
		}
	}
	return rr
}

// recordedOnly is the prober of doctor's lookups: the version is what the
// cache recorded; nothing is run to learn it again.
type recordedOnly struct{}

func (recordedOnly) Probe(context.Context, supervisor.Binary) (supervisor.Version, error) {
	return supervisor.Version{}, fmt.Errorf("doctor runs nothing; \"supctl pull\" learns the version again: %w", supervisor.ErrNotApplicable)
}
