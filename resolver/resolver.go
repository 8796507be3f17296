package resolver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/supervisor"
)

// A Resolver turns image references into usable supervisor binaries in a
// cache. It is safe for concurrent use; so are several resolvers, in several
// processes, on one cache.
type Resolver struct {
	cache *cache.Cache
	cfg   config
	reg   *registry.Client // every registry request goes through it
}

// New returns a resolver over c, configured by opts.
func New(c *cache.Cache, opts ...Option) (*Resolver, error) {
	if c == nil {
		return nil, errors.New("nil cache")
	}
	cfg := defaults()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("%w", err)
		}
	}
	reg, err := registry.New(cfg.registry...)
	if err != nil {
		return nil, fmt.Errorf("%w", errors.Unwrap(err))
	}
	return &Resolver{cache: c, cfg: cfg, reg: reg}, nil
}

// opContext bounds one whole operation by the resolver's timeout; its
// expiry is [ErrUnreachable]. It carries the operation's budget of stalled
// bodies resumed (see [registry.Bound]).
func (r *Resolver) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return registry.Bound(ctx, r.cfg.timeout)
}

// ResolvedFrom says where a [Result] came from.
type ResolvedFrom string

const (
	// FromCache: served from the cache without contacting the registry.
	FromCache ResolvedFrom = "cache"
	// FromRegistry: the registry confirmed or provided the digest.
	FromRegistry ResolvedFrom = "registry"
	// FromStaleCache: the registry failed and a previously recorded digest
	// was served (stale-if-error).
	FromStaleCache ResolvedFrom = "stale-cache"
)

// A Result is a usable supervisor binary.
type Result struct {
	// Ref is the fully qualified reference resolved.
	Ref string `json:"ref"`
	// Digest is the platform image manifest's digest; IndexDigest the
	// index's, or "" when the reference named a single manifest.
	Digest      digest.Digest `json:"digest"`
	IndexDigest digest.Digest `json:"index_digest"`
	Platform    string        `json:"platform"`
	// Path is the binary's absolute path in the cache.
	Path string `json:"path"`
	// Version is the binary's version ("" when unknown) and VersionSource
	// how it was learned.
	Version       string `json:"version"`
	VersionSource string `json:"version_source"`
	// VersionAttempts, when the version is unknown, lists the methods
	// tried, why each could not answer and what would fix it.
	VersionAttempts []supervisor.Attempt `json:"version_attempts,omitempty"`
	// BinarySHA256 is the hex SHA-256 of the binary: the encoded part of
	// its digest (cache.Entry.BinarySHA256, supervisor.Identity.SHA256).
	BinarySHA256 string       `json:"binary_sha256"`
	Size         int64        `json:"size"`
	ResolvedFrom ResolvedFrom `json:"resolved_from"`
	// Extracted is true when this resolve downloaded and extracted the
	// binary.
	Extracted bool `json:"extracted"`
	// CheckedAt is when the registry last confirmed the reference's digest
	// (for a digest reference: when it was extracted).
	CheckedAt time.Time `json:"checked_at"`
}

// Resolve turns ref, a tag or digest reference, into a verified binary for
// the resolver's platform, contacting the registry only as the pull policy
// and the freshness rules require (see the package documentation). Its
// errors are listed under Errors there. The entry it returns is not held:
// a gateway that keeps using the binary calls [Resolver.ResolveAndHold].
func (r *Resolver) Resolve(ctx context.Context, ref string) (*Result, error) {
	return r.resolve(ctx, r.op(), ref)
}

// resolve is [Resolver.Resolve] as the call o.
func (r *Resolver) resolve(ctx context.Context, o *op, ref string) (*Result, error) {
	parsed, err := r.parse(ref)
	if err != nil {
		return nil, err
	}
	bounded, cancel := r.opContext(ctx)
	defer cancel()
	// A local image of the engine, if the image source allows and it is
	// there (see WithImageSource); else the registry and the cache.
	res, ok, err := r.resolveLocal(bounded, o, ref, parsed)
	if err != nil {
		return nil, err
	}
	if ok {
		if err := r.checkRange(ctx, res); err != nil {
			return nil, err
		}
		return res, nil
	}
	switch p := parsed.(type) {
	case name.Digest:
		res, err = r.resolveDigest(ctx, bounded, o, p)
	case name.Tag:
		res, err = r.resolveTag(ctx, bounded, o, p)
	}
	if err != nil {
		return nil, err
	}
	if err := r.checkRange(ctx, res); err != nil {
		return r.recheck(ctx, bounded, o, parsed, res, err)
	}
	return res, nil
}

// parse parses an image reference.
func (r *Resolver) parse(ref string) (name.Reference, error) {
	var opts []name.Option
	if r.cfg.insecure {
		opts = append(opts, name.Insecure)
	}
	p, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, badReference(ref, err)
	}
	return p, nil
}

// resolveDigest serves an immutable digest reference: from the cache with
// no request when it is there, else from the registry. ctx is the caller's
// and bounded the operation's, bounded by the resolver's timeout.
func (r *Resolver) resolveDigest(ctx, bounded context.Context, o *op, ref name.Digest) (*Result, error) {
	d := digest.Digest(ref.DigestStr())
	res, err := r.fromCache(ctx, o, ref, d)
	switch {
	case err == nil:
		res.ResolvedFrom = FromCache
		r.cfg.log.Info("cache-hit", "ref", ref.Name(), "digest", res.Digest, "platform", res.Platform)
		return res, nil
	case !miss(err):
		return nil, err
	case o.policy == PullNever:
		return nil, r.notCached(ref)
	}
	return r.fetch(bounded, o, ref, ref)
}

// resolveTag serves a tag, checking it with the registry when it is stale.
// Requests run under bounded; the stale-if-error fallback reads the cache
// under ctx, so that it still works when bounded has timed out.
func (r *Resolver) resolveTag(ctx, bounded context.Context, o *op, ref name.Tag) (*Result, error) {
	store := r.cache.Records()
	rec, err := store.Ref(ref.Name())
	if err != nil && !miss(err) {
		return nil, err
	}
	if err != nil {
		if errors.Is(err, manifest.ErrCorrupt) {
			r.cfg.log.Warn("corrupt ref record ignored; the check records it again", "ref", ref.Name(), "err", err)
		}
		rec = nil
	}
	now := r.cfg.now()
	if rec != nil && o.policy != PullAlways {
		age := now.Sub(rec.CheckedAt)
		floating := !r.cfg.immutable(ref.TagStr())
		if o.policy == PullNever || !floating || age < r.cfg.maxAge {
			res, err := r.fromCache(ctx, o, ref, rec.Digest)
			if err == nil {
				res.ResolvedFrom, res.CheckedAt = FromCache, rec.CheckedAt
				r.cfg.log.Info("cache-hit", "ref", ref.Name(), "digest", res.Digest, "platform", res.Platform, "age", age.Round(time.Second).String())
				return res, nil
			}
			if !miss(err) {
				return nil, err
			}
		}
	}
	if o.policy == PullNever {
		return nil, r.notCached(ref)
	}
	if rec == nil {
		return r.fetch(bounded, o, ref, ref)
	}
	desc, err := r.reg.Head(bounded, ref)
	if err == nil && digest.Digest(desc.Digest.String()) != rec.Digest {
		r.cfg.log.Info("refreshed", "ref", ref.Name(), "old", rec.Digest.String(), "new", desc.Digest.String())
		var res *Result
		if res, err = r.fetch(bounded, o, ref, ref.Context().Digest(desc.Digest.String())); err == nil {
			return res, nil
		}
	}
	if err != nil {
		// Stale-if-error: the registry failed while checking or fetching
		// the new digest; the recorded one is still what this cache knows.
		if !errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		res, cerr := r.fromCache(ctx, o, ref, rec.Digest)
		if cerr != nil {
			return nil, err
		}
		res.ResolvedFrom, res.CheckedAt = FromStaleCache, rec.CheckedAt
		r.cfg.log.Warn("stale-served", "ref", ref.Name(), "digest", res.Digest, "platform", res.Platform,
			"age", now.Sub(rec.CheckedAt).Round(time.Second).String(), "err", err)
		return res, nil
	}
	rec.CheckedAt = now.UTC()
	if err := store.PutRef(rec); err != nil {
		// The binary is still good; a cache that cannot record the check
		// (read-only, full) only costs another check next time.
		r.cfg.log.Warn("could not record the check time", "ref", ref.Name(), "err", err)
	}
	r.cfg.log.Info("checked", "ref", ref.Name(), "digest", rec.Digest.String())
	res, err := r.fromCache(ctx, o, ref, rec.Digest)
	if err == nil {
		res.ResolvedFrom, res.CheckedAt = FromRegistry, rec.CheckedAt
		return res, nil
	}
	if !miss(err) {
		return nil, err
	}
	return r.fetch(bounded, o, ref, ref.Context().Digest(rec.Digest.String()))
}

// miss reports whether err means "not (usably) in the cache": absent,
// damaged, or a corrupt record that was set aside.
func miss(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, cache.ErrDamaged) || errors.Is(err, manifest.ErrCorrupt)
}

func (r *Resolver) notCached(ref name.Reference) error {
	return fmt.Errorf("%s for %s: %w; the pull policy is never: run \"supctl pull %s\" with network access first",
		ref.Name(), platformString(r.cfg.platform), ErrNotCached, ref.Name())
}

// fromCache builds a result from the records and the cache alone: top is
// the digest the reference points at, an index or a manifest.
func (r *Resolver) fromCache(ctx context.Context, o *op, ref name.Reference, top digest.Digest) (*Result, error) {
	md, idx := top, digest.Digest("")
	x, err := r.cache.Records().Index(top)
	switch {
	case err == nil:
		d, err := selectManifest(indexFromRecord(x), r.cfg.platform)
		if err != nil {
			var pe *PlatformError
			if errors.As(err, &pe) {
				pe.Ref = ref.Name()
			}
			return nil, err
		}
		md, idx = digest.Digest(d.Digest.String()), top
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	e, err := r.lookup(ctx, o, r.key(md))
	if err != nil {
		return nil, err
	}
	res, err := r.result(ref, e, false)
	if err != nil {
		return nil, err
	}
	res.IndexDigest = idx
	return res, nil
}

func (r *Resolver) key(md digest.Digest) cache.Key { return cache.Key{Manifest: md, File: r.cfg.file} }

// result turns a cache entry into a result for ref, after checking that
// the entry is for the target platform: an entry is never handed out for
// another platform than the one asked for, whichever path found it.
func (r *Resolver) result(ref name.Reference, e *cache.Entry, extracted bool) (*Result, error) {
	if have, err := ParsePlatform(e.Platform); err != nil || !platformMatches(have, r.cfg.platform) {
		return nil, &PlatformError{Ref: ref.Name(), Want: platformString(r.cfg.platform), Have: []string{e.Platform}}
	}
	return &Result{
		Ref:           ref.Name(),
		Digest:        e.ManifestDigest,
		IndexDigest:   e.IndexDigest,
		Platform:      e.Platform,
		Path:          e.Path,
		Version:       e.Version,
		VersionSource: e.VersionSource,
		BinarySHA256:  e.BinarySHA256.Encoded(),
		Size:          e.Size,
		Extracted:     extracted,
		CheckedAt:     e.ExtractedAt,
	}, nil
}

// programName is the name the binary prints before its version.
func (r *Resolver) programName() string { return path.Base(r.cfg.file) }
