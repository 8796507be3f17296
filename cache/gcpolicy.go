package cache

import (
	"sort"
	"time"

	"github.com/opencontainers/go-digest"
)

// DefaultMaxUnused is how long an entry may go unused before "supctl gc"
// removes it, unless told otherwise.
const DefaultMaxUnused = 30 * 24 * time.Hour

// A GCPolicy says which entries [Cache.GC] may remove. Whatever the
// policy, GC never removes an entry that is pinned, that is the current
// digest of a recorded ref (see [Roots]) or that is in use (held with
// [Cache.Hold], or locked by a fill or a check).
type GCPolicy struct {
	// MaxUnused: an entry last used longer ago may be removed. Zero means
	// that any entry nothing else protects may be removed.
	MaxUnused time.Duration
	// Keep, if positive, keeps the entries of the Keep most recently
	// extracted images of each repository, however long unused. An image
	// is an index with all its platforms, or a single manifest.
	Keep int
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
}

// recent reports whether p keeps e for its last use.
func recent(e *Entry, p GCPolicy, now time.Time) bool {
	return p.MaxUnused > 0 && now.Sub(e.LastUsed) <= p.MaxUnused
}

// newest returns the names of the entries of the keep most recently
// extracted images of each repository.
func newest(entries []Entry, keep int) map[string]bool {
	out := map[string]bool{}
	if keep <= 0 {
		return out
	}
	type image struct {
		digest digest.Digest
		at     time.Time
		names  []string
	}
	repos := map[string]map[digest.Digest]*image{}
	for _, e := range entries {
		repo := e.Registry + "/" + e.Repository
		d := e.IndexDigest
		if d == "" {
			d = e.ManifestDigest
		}
		if repos[repo] == nil {
			repos[repo] = map[digest.Digest]*image{}
		}
		im := repos[repo][d]
		if im == nil {
			im = &image{digest: d}
			repos[repo][d] = im
		}
		if e.ExtractedAt.After(im.at) {
			im.at = e.ExtractedAt
		}
		im.names = append(im.names, e.Key().name())
	}
	for _, ims := range repos {
		list := make([]*image, 0, len(ims))
		for _, im := range ims {
			list = append(list, im)
		}
		sort.Slice(list, func(i, j int) bool {
			if !list[i].at.Equal(list[j].at) {
				return list[i].at.After(list[j].at)
			}
			return list[i].digest < list[j].digest
		})
		for _, im := range list[:min(keep, len(list))] {
			for _, n := range im.names {
				out[n] = true
			}
		}
	}
	return out
}
