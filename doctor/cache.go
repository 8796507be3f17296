package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/openshell-contrib/supctl/cache"
)

// checkCache fills r.Cache and adds its problems. It returns the cache, or
// nil when there is none to look into.
func (r *Report) checkCache(ctx context.Context, dir string) (*cache.Cache, error) {
	if dir == "" {
		d, err := cache.ResolveDir("")
		if err != nil {
			r.Cache.Error = err.Error()
			r.add("cache", SeverityProblem, 1, err.Error(), "set --cache-dir or SUPCTL_CACHE_DIR")
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
		r.add("cache", SeverityProblem, 1, fmt.Sprintf("cache directory %s: %v", dir, err), "make it readable by this user, or set --cache-dir")
		return nil, nil
	}
	r.Cache.Exists, r.Cache.Mode = true, fmt.Sprintf("%04o", fi.Mode().Perm())
	r.Cache.Owner = owner(fi)
	// doctor changes nothing: a directory without supctl's layout (the
	// gateway's own docker-supervisor/, say) is not opened, since opening
	// creates what is missing.
	for _, sub := range []string{"entries", "refs", "indexes", "pins"} {
		if _, err := os.Lstat(filepath.Join(dir, sub)); err != nil {
			r.Cache.Note = "no supctl cache in it yet: the first pull creates entries/, refs/, indexes/ and pins/"
			return nil, nil
		}
	}
	c, err := cache.Open(dir)
	if err != nil {
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, 1, err.Error(), "fix the directory's owner and mode as the message says, or set --cache-dir")
		return nil, nil
	}
	vr, err := c.Verify(ctx, false)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, 1, fmt.Sprintf("verifying cache %s: %v", dir, err), "check the directory's permissions, then run \"supctl verify\"")
	} else {
		r.Cache.Entries, r.Cache.Records, r.Cache.Verify = vr.Entries, vr.Records, vr.Problems
		for _, p := range vr.Problems {
			r.add("cache", SeverityProblem, 6, fmt.Sprintf("%s: %s", p.Path, p.Message), "run \"supctl verify --repair\"; the next pull extracts set-aside entries again")
		}
	}
	gr, err := c.GC(ctx, cache.GCPolicy{MaxUnused: 1<<63 - 1, DryRun: true})
	if err == nil {
		r.Cache.Leftovers = gr.Leftovers
		for _, l := range gr.Leftovers {
			r.add("cache", SeverityWarning, 0, fmt.Sprintf("%s is left over from an interrupted pull (%d bytes)", l.Path, l.Bytes), "run \"supctl gc\"")
		}
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return c, nil
}
