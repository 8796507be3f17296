package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gofrs/flock"
	"github.com/opencontainers/go-digest"
)

// linksDir is the directory of a cache that holds its links.
const linksDir = "links"

// previousSuffix names the link to the binary a link pointed at before its
// last switch.
const previousSuffix = ".previous"

var linkName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ValidLinkName reports whether name can name a link: 1 to 64 lower-case
// letters, digits, '-' and '_', starting with a letter or digit.
func ValidLinkName(name string) error {
	if !linkName.MatchString(name) {
		return fmt.Errorf("link name %q: want 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter or digit", name)
	}
	return nil
}

// A Link is a stable path in the cache that names the binary of one entry
// (see "Links" in the package documentation).
type Link struct {
	Name string `json:"name"`
	// Path is the link's absolute path: what the gateway's supervisor_bin
	// is set to.
	Path string `json:"path"`
	// Target is the absolute path of the binary it points at; the entry's
	// digest, reference, platform and version follow, from its record.
	Target        string        `json:"target,omitempty"`
	Digest        digest.Digest `json:"digest,omitempty"`
	Ref           string        `json:"ref,omitempty"`
	Platform      string        `json:"platform,omitempty"`
	Version       string        `json:"version,omitempty"`
	VersionSource string        `json:"version_source,omitempty"`
	// Previous is the binary it pointed at before its last switch, if any.
	Previous string `json:"previous,omitempty"`
	// Err is what is wrong with the link, nil if nothing: an error matching
	// [ErrDamaged] (and fs.ErrNotExist for a link that dangles), or the
	// link's own fs.ErrNotExist when there is no such link. Problem is its
	// text.
	Err     error  `json:"-"`
	Problem string `json:"problem,omitempty"`
}

// LinkPath returns the absolute path of the link called name.
func (c *Cache) LinkPath(name string) string { return filepath.Join(c.dir, linksDir, name) }

// LinkName reports whether path is the path of a link of this cache, and
// its name: a gateway's supervisor_bin that supctl keeps right.
func (c *Cache) LinkName(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil || filepath.Dir(abs) != filepath.Join(c.dir, linksDir) {
		return "", false
	}
	n := filepath.Base(abs)
	return n, ValidLinkName(n) == nil
}

// linkTarget is what the link to the entry for k holds: a relative path,
// which resolves to the same file wherever the cache is seen from (a
// container engine in a VM may see this host's files under another
// prefix).
func linkTarget(k Key) string {
	return "../entries/" + k.name() + "/" + k.base()
}

// parseTarget returns the entry directory name and binary name that a
// link's target names, or ok false if it is not of the form linkTarget
// writes: anything else points outside the cache's entries.
func parseTarget(t string) (entry, base string, ok bool) {
	parts := strings.Split(t, "/")
	if len(parts) != 4 || parts[0] != ".." || parts[1] != "entries" || parts[2] == "" || !isEntryName(parts[2]) ||
		parts[3] == "" || parts[3] == "." || parts[3] == ".." {
		return "", "", false
	}
	return parts[2], parts[3], true
}

// SetLink points the link called name at the binary of the entry for k,
// which must be sound; it reports whether the link changed. The entry is
// held meanwhile, so no collection removes it before the link protects it.
//
// The switch is atomic and crash-safe: a new symbolic link is written
// under a temporary name, renamed over the old one, and the directory is
// synced, so the link names the old binary or the new one, never neither;
// what it named before the switch is kept as name.previous. Switches of
// one link are serialized across processes by the link's lock file, which
// is never deleted; temporary links of a killed switch are removed by the
// next one.
//
// SetLink does not look at the binary's version: the resolver's
// ResolveLink calls it only after the binary was found in range.
func (c *Cache) SetLink(ctx context.Context, name string, k Key) (l *Link, switched bool, err error) {
	if err := ValidLinkName(name); err != nil {
		return nil, false, err
	}
	release, err := c.Hold(ctx, k)
	if err != nil {
		return nil, false, err
	}
	defer func() { err = errors.Join(err, release()) }()
	dir := filepath.Join(c.dir, linksDir)
	if err := mkdirOwned(dir); err != nil {
		return nil, false, writeError(c.dir, "creating "+dir, err)
	}
	if err := checkOpenDir(dir); err != nil {
		return nil, false, err
	}
	unlock, err := lockLink(ctx, filepath.Join(dir, name+".lock"))
	if err != nil {
		return nil, false, err
	}
	defer func() { err = errors.Join(err, unlock()) }()
	stale, _ := filepath.Glob(filepath.Join(dir, ".tmp-"+name+"-*"))
	for _, p := range stale {
		os.Remove(p) // a killed switch's: this one holds the lock
	}
	want := linkTarget(k)
	cur, rerr := os.Readlink(filepath.Join(dir, name))
	if rerr != nil || cur != want {
		if _, _, ok := parseTarget(cur); rerr == nil && ok {
			if err := replaceLink(dir, name+previousSuffix, cur); err != nil {
				return nil, false, writeError(c.dir, "switching link "+name, err)
			}
		}
		if err := replaceLink(dir, name, want); err != nil {
			return nil, false, writeError(c.dir, "switching link "+name, err)
		}
		if err := syncFile(dir); err != nil {
			return nil, false, writeError(c.dir, "switching link "+name, err)
		}
		switched = true
	}
	return c.checkLink(name, false), switched, nil
}

// lockLink takes the exclusive lock at p, waiting until ctx is done.
func lockLink(ctx context.Context, p string) (unlock func() error, err error) {
	fl := flock.New(p, flock.SetPermissions(0o644))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, lockError(p, err)
	}
	if ok {
		return fl.Unlock, nil
	}
	return acquire(ctx, p, fl, fl.Lock, 0, nil)
}

// replaceLink makes dir/name a symbolic link to target by renaming a new
// link over it.
func replaceLink(dir, name, target string) error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".tmp-"+strings.TrimSuffix(name, previousSuffix)+"-"+hex.EncodeToString(b[:]))
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// CheckLink checks the link called name and returns what it found: the
// link must be a symbolic link of the caller's in the cache's links
// directory, pointing at the binary of an entry of this cache that passes
// a full check (its record, seal and SHA-256). It changes nothing on disk.
// A link that does not exist has an Err matching fs.ErrNotExist, and not
// [ErrDamaged]; every other problem matches ErrDamaged.
func (c *Cache) CheckLink(ctx context.Context, name string) *Link {
	if err := ValidLinkName(name); err != nil {
		return &Link{Name: name, Err: err, Problem: err.Error()}
	}
	if err := ctx.Err(); err != nil {
		return &Link{Name: name, Path: c.LinkPath(name), Err: err, Problem: err.Error()}
	}
	return c.checkLink(name, true)
}

// Links checks every link of the cache, sorted by name, as
// [Cache.CheckLink] does. A cache with no links directory has none.
func (c *Cache) Links(ctx context.Context) ([]*Link, error) {
	des, err := os.ReadDir(filepath.Join(c.dir, linksDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the links of cache %s: %w", c.dir, err)
	}
	var out []*Link
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if ValidLinkName(de.Name()) == nil {
			out = append(out, c.CheckLink(ctx, de.Name()))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// checkLink checks the link called name, hashing its binary in full if
// full is set.
func (c *Cache) checkLink(name string, full bool) *Link {
	dir := filepath.Join(c.dir, linksDir)
	l := &Link{Name: name, Path: filepath.Join(dir, name)}
	if prev, err := os.Readlink(l.Path + previousSuffix); err == nil {
		if _, _, ok := parseTarget(prev); ok {
			l.Previous = filepath.Join(dir, prev)
		}
	}
	fail := func(err error) *Link { l.Err, l.Problem = err, err.Error(); return l }
	fi, err := os.Lstat(l.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(fmt.Errorf("no link %s: %w", l.Path, fs.ErrNotExist))
	case err != nil:
		return fail(fmt.Errorf("link %s: %w: %w", name, err, ErrDamaged))
	}
	if err := checkDir(dir); err != nil {
		return fail(fmt.Errorf("%w: %w", err, ErrDamaged))
	}
	switch {
	case fi.Mode()&fs.ModeSymlink == 0:
		return fail(fmt.Errorf("link %s is not a symbolic link but %v: %w", name, fi.Mode().Type(), ErrDamaged))
	case !ownedByCaller(fi):
		return fail(fmt.Errorf("link %s is not owned by you: %w", name, ErrDamaged))
	}
	t, err := os.Readlink(l.Path)
	if err != nil {
		return fail(fmt.Errorf("link %s: %w: %w", name, err, ErrDamaged))
	}
	entry, base, ok := parseTarget(t)
	if !ok {
		return fail(fmt.Errorf("link %s points at %s, outside the cache's entries: %w", name, t, ErrDamaged))
	}
	l.Target = filepath.Join(dir, t)
	e, bad := c.readEntry(entry, true)
	switch {
	case bad != nil:
		return fail(fmt.Errorf("link %s points at a damaged entry: %w", name, bad))
	case e == nil:
		return fail(fmt.Errorf("link %s points at entry %s, which is gone: %w", name, entry, errDangling{}))
	case filepath.Base(e.Path) != base:
		return fail(fmt.Errorf("link %s points at %s, which entry %s does not hold: %w", name, base, entry, ErrDamaged))
	}
	l.Digest, l.Ref, l.Platform, l.Version, l.VersionSource = e.ManifestDigest, e.Ref, e.Platform, e.Version, e.VersionSource
	if !full {
		return l
	}
	if _, err := statCheck(e.Path, &e.Entry, os.Geteuid()); err != nil {
		return fail(fmt.Errorf("link %s points at a damaged entry: %v: %w", name, err, ErrDamaged))
	}
	if err := verifyFile(e.Path, e.BinarySHA256); err != nil {
		return fail(fmt.Errorf("link %s points at a damaged entry: %v: %w", name, err, ErrDamaged))
	}
	return l
}

// errDangling is the error of a link whose entry is gone: it matches
// both [ErrDamaged] and fs.ErrNotExist.
type errDangling struct{}

func (errDangling) Error() string        { return "dangling link" }
func (errDangling) Is(target error) bool { return target == ErrDamaged || target == fs.ErrNotExist }

// linked returns, for each entry directory a link or a link's previous
// target points at, the names of those links ("gateway", or
// "gateway.previous"), read from the links directory as it is now.
func (c *Cache) linked() map[string][]string {
	dir := filepath.Join(c.dir, linksDir)
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	out := map[string][]string{}
	for _, de := range des {
		n := de.Name()
		if ValidLinkName(strings.TrimSuffix(n, previousSuffix)) != nil {
			continue
		}
		t, err := os.Readlink(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		if entry, _, ok := parseTarget(t); ok {
			out[entry] = append(out[entry], n)
		}
	}
	return out
}

// verifyLinks adds a problem for every link that fails [Cache.CheckLink].
// Links are never changed: removing one would stop the gateway that uses
// it, and only a resolve under the range may switch it.
func (c *Cache) verifyLinks(ctx context.Context, r *VerifyReport) error {
	links, err := c.Links(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		r.add(ProblemLink, filepath.Join(c.dir, linksDir), fmt.Errorf("%v: %w", err, ErrDamaged), false, nil)
		return nil
	}
	for _, l := range links {
		if l.Err == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.add(ProblemLink, l.Path, l.Err, false, nil)
		p := &r.Problems[len(r.Problems)-1]
		p.Action = "left as is: pull the image again for this link, under the gateway's range, to switch it to a sound binary"
	}
	return nil
}
