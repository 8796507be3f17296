package resolver

import (
	"context"
	"errors"

	"github.com/opencontainers/go-digest"
)

// Hold marks the cache entry of res in use until release is called, so
// that garbage collection keeps it and no process replaces it: a gateway
// holds the supervisor it bind-mounts for as long as sandboxes run from it.
// It returns an error matching [ErrNotCached] if the entry went away since
// res was resolved (resolve again), and fails for a result that is not a
// cache entry (a local file).
func (r *Resolver) Hold(ctx context.Context, res *Result) (release func() error, err error) {
	if res == nil || res.ResolvedFrom == FromFile || res.Digest == "" {
		return nil, errors.New("resolver: only a binary in the cache can be held")
	}
	return r.cache.Hold(ctx, r.key(digest.Digest(res.Digest)))
}
