package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/remedy"
)

// checkCache fills r.Cache and adds its problems. It returns the cache, or
// nil when there is none to look into.
func (r *Report) checkCache(ctx context.Context, dir string) (*cache.Cache, error) {
	if dir == "" {
		d, err := cache.ResolveDir("")
		if err != nil {
			r.Cache.Error = err.Error()
			r.addSaid("cache", SeverityProblem, KindCache, err.Error(), remedyOf(err), Remedy{Action: remedy.CacheDir, Env: "SUPCTL_CACHE_DIR"})
			return nil, nil
		}
		dir = d
	}
	r.Cache = Cache{Dir: dir, Owner: -1, Verify: []cache.Problem{}, Leftovers: []cache.Leftover{}}
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // the first pull creates it
	}
	if err != nil {
		r.Cache.Error = err.Error()
		r.addSaid("cache", SeverityProblem, KindCache, fmt.Sprintf("cache directory %s: %v", dir, err), remedyOf(err),
			Remedy{Action: remedy.CacheDir, Before: "make it readable by this user, or "})
		return nil, nil
	}
	r.Cache.Exists, r.Cache.Mode = true, fmt.Sprintf("%04o", fi.Mode().Perm())
	r.Cache.Owner = owner(fi)
	// doctor changes nothing: a directory without supctl's layout (the
	// gateway's own docker-supervisor/, say) is noted, and a cache is
	// opened in the way that creates nothing.
	if !hasLayout(dir) {
		r.Cache.Note = "no supctl cache in it yet: the first pull creates entries/, refs/, indexes/ and pins/"
		return nil, nil
	}
	c, err := cache.OpenExisting(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		r.Cache.Error = err.Error()
		r.addSaid("cache", SeverityProblem, KindCache, err.Error(), remedyOf(err),
			Remedy{Action: remedy.CacheDir, Before: "fix the directory's owner and mode as the message says, or "})
		return nil, nil
	}
	vr, err := c.Verify(ctx, false)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, KindCache, fmt.Sprintf("verifying cache %s: %v", dir, err), "check the directory's permissions, then run \"supctl verify\"")
	} else {
		r.Cache.Entries, r.Cache.Records, r.Cache.Verify, r.Cache.Leftovers = vr.Entries, vr.Records, vr.Problems, vr.Leftovers
		for _, p := range vr.Problems {
			if p.Kind == cache.ProblemLink {
				continue // with its own fix, from checkLinks
			}
			r.addSaid("cache", SeverityProblem, KindDamaged, fmt.Sprintf("%s: %s", p.Path, p.Message), remedyOf(p.Err),
				Remedy{Action: remedy.Repair, Before: "run ", After: "; the next pull extracts set-aside entries again"})
		}
		// What kill -9 normally leaves: reported, never a failure.
		for _, l := range vr.Leftovers {
			r.addSaid("cache", SeverityWarning, KindCache, l.String(), l.Remedy(), Remedy{Action: remedy.Collect, Before: "run "})
		}
	}
	return c, nil
}

// hasLayout reports whether dir has any of the directories of supctl's
// cache.
func hasLayout(dir string) bool {
	for _, sub := range []string{"entries", "refs", "indexes", "pins"} {
		if _, err := os.Lstat(filepath.Join(dir, sub)); err == nil {
			return true
		}
	}
	return false
}
