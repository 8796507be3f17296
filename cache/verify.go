package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openshell-contrib/supctl/internal/atomicfile"
	"github.com/openshell-contrib/supctl/manifest"
)

// A VerifyReport is what [Cache.Verify] found and, asked to repair, did.
type VerifyReport struct {
	// Entries is the number of entry directories checked, Records the
	// number of record files read in refs/, indexes/ and pins/.
	Entries  int       `json:"entries"`
	Records  int       `json:"records"`
	Problems []Problem `json:"problems"`
	// Leftovers are what killed processes left (temporary entries,
	// records and seals, set-aside entries): what a kill -9 normally
	// leaves, not damage. [Cache.GC] and a verification with repair
	// remove them; they do not count against [VerifyReport.OK].
	Leftovers []Leftover `json:"leftovers"`
}

// OK reports whether no problem was found; leftovers are not problems.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Kinds of [Problem].
const (
	ProblemDirectory = "directory" // a directory of the cache breaks the ownership rule or cannot be read
	ProblemEntry     = "entry"     // an entry is damaged, or its binary was touched
	ProblemLock      = "lock"      // a lock file is not a regular file of the caller's
	ProblemRecord    = "record"    // a record file is corrupt or unreadable
	ProblemLink      = "link"      // a link dangles, points outside the cache or at a damaged entry
)

// A Problem is one thing wrong in a cache.
type Problem struct {
	// Kind is one of the Problem constants; Path the directory or file.
	Kind string `json:"kind"`
	Path string `json:"path"`
	// Err says what is wrong. It matches [ErrDamaged] for an entry,
	// [ErrUnsafeDir] for a directory, [manifest.ErrCorrupt] for a record
	// file, or [manifest.ErrSchema] for either written by a newer supctl
	// (never changed).
	Err     error  `json:"-"`
	Message string `json:"problem"`
	// Repaired says whether repair fixed it; Action says what was done or
	// why nothing was.
	Repaired bool   `json:"repaired"`
	Action   string `json:"action,omitempty"`
}

// Verify checks the whole cache and reports every problem it finds, going
// on after each: the ownership of the cache's directories; every entry in
// full (its record is valid, is the one committed, and describes the
// entry's directory; its binary is a regular file of mode 0555 with the
// recorded size and SHA-256, untouched since the commit); every lock file
// (a regular file of the caller's); every record in refs/, indexes/ and
// pins/; every link ([Cache.CheckLink]). It lists apart, with their age,
// the leftovers of killed processes, by the rule of [StaleAge]: they are
// not problems. Problems are not errors; the error is for ctx, or a cache
// that cannot be listed at all.
//
// Each entry is checked under its shared lock, waited for until ctx is done:
// no fill or collection can change a committed entry meanwhile, while
// holders ([Cache.Hold]) and lookups go on. An entry whose lock file is
// unusable is checked without it.
//
// Without repair Verify changes nothing on disk: it creates no lock file,
// moves nothing and refreshes no stamp. With repair it sets bad entries
// aside under their exclusive lock (the next fill extracts them again; one
// held in use is left and reported), seals again a touched binary whose
// bytes are intact, replaces a lock path that is not a regular file and
// restricts the mode of a lock file of the caller's writable by others
// (see "Lock files" in the package documentation), moves corrupt record
// files aside (the next pull records refs and indexes again), removes
// leftovers, and refreshes the full-check stamp of the entries found
// sound. Records of a newer schema are reported and never changed.
// Directories that break the ownership rule are reported, never changed.
func (c *Cache) Verify(ctx context.Context, repair bool) (*VerifyReport, error) {
	r := &VerifyReport{Problems: []Problem{}, Leftovers: []Leftover{}}
	if err := checkAncestors(c.dir); err != nil {
		var ue *UnsafeError
		p := c.dir
		if errors.As(err, &ue) {
			p = ue.Path
		}
		r.add(ProblemDirectory, p, err, false, nil)
	}
	for _, p := range append([]string{c.dir, c.entries}, c.records.Dirs()...) {
		if err := checkDir(p); err != nil && !missingSub(c, p, err) {
			r.add(ProblemDirectory, p, err, false, nil)
		}
	}
	des, err := c.readEntriesDir()
	if err != nil {
		return r, fmt.Errorf("listing cache directory %s: %w", c.dir, err)
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		switch n := de.Name(); {
		case strings.HasPrefix(n, "."):
			// temporary and set-aside directories: leftovers, below
		case strings.HasSuffix(n, ".lock"):
			c.verifyLock(n, repair, r)
		default:
			if err := c.verifyEntry(ctx, n, repair, r); err != nil {
				return r, err
			}
		}
	}
	found, err := c.findLeftovers(ctx)
	if err != nil {
		return r, err
	}
	for _, l := range found {
		if repair {
			l.Action = "not removed: in use again, or not removable"
			if len(c.removeLeftovers([]Leftover{l})) == 1 {
				l.Action = "removed"
			}
		}
		r.Leftovers = append(r.Leftovers, l)
	}
	if err := c.verifyLinks(ctx, r); err != nil {
		return r, err
	}
	n, probs, err := c.records.Check(ctx)
	r.Records = n
	for _, rp := range probs {
		r.add(ProblemRecord, rp.Path, rp.Err, repair, func(p *Problem) { c.repairRecord(rp.Kind, p) })
	}
	return r, err
}

// verifyEntry checks the entry directory called name.
func (c *Cache) verifyEntry(ctx context.Context, name string, repair bool, r *VerifyReport) error {
	unlock, err := rlockExisting(ctx, filepath.Join(c.entries, name+".lock"))
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		unlock = func() error { return nil } // reported by verifyLock
	}
	dir := filepath.Join(c.entries, name)
	gone, touched, why := c.checkDir(name)
	if why == nil && !touched && !gone && repair {
		c.touch(filepath.Join(dir, verifiedName), 0) // still under the lock: what was hashed
	}
	// A new seal is written under the exclusive lock: under the shared one,
	// a temporary seal is a killed repair's.
	stale, _ := filepath.Glob(filepath.Join(dir, atomicfile.TempPattern(sealName)))
	if err := unlock(); err != nil {
		return err
	}
	for _, p := range stale {
		l := Leftover{Path: p, What: "temporary seal"}
		if fi, err := os.Lstat(p); err == nil {
			l.Bytes, l.Age = fi.Size(), c.now().Sub(fi.ModTime())
			l.AgeSeconds = int64(l.Age / time.Second)
		}
		if repair {
			var pr Problem
			c.underLock(name, &pr, func() {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					pr.Action = "not removed: " + err.Error()
					return
				}
				pr.Action = "removed"
			})
			l.Action = strings.Replace(pr.Action, "not repaired", "not removed", 1)
		}
		r.Leftovers = append(r.Leftovers, l)
	}
	switch {
	case gone:
		return nil // removed by a collection meanwhile
	case why != nil:
		r.Entries++
		r.add(ProblemEntry, dir, why, repair, func(p *Problem) { c.repairEntry(name, p) })
	case touched:
		r.Entries++
		why := fmt.Errorf("its binary was touched after the commit (it no longer matches its seal) but its bytes are intact; every use hashes it in full")
		r.add(ProblemEntry, dir, why, repair, func(p *Problem) { c.resealEntry(name, p) })
	default:
		r.Entries++
	}
	return nil
}

// rlockExisting takes a shared lock on the lock file at p, waiting until no
// exclusive lock is held or ctx is done, without creating the file: a
// missing one is held by nobody, and then nothing is locked.
func rlockExisting(ctx context.Context, p string) (unlock func() error, err error) {
	fl := newLock(p, os.O_RDONLY)
	ok, err := fl.TryRLock()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return func() error { return nil }, nil
	case err != nil:
		return nil, lockError(p, err)
	case ok:
		if err := checkLocked(p, fl); err != nil {
			return nil, err
		}
		return fl.Unlock, nil
	}
	return acquireChecked(ctx, p, fl, fl.RLock, 0, nil)
}

// repairEntry sets the bad entry called name aside, under its exclusive
// lock taken without waiting.
func (c *Cache) repairEntry(name string, p *Problem) {
	c.underLock(name, p, func() {
		if gone, _, why := c.checkDir(name); gone || why == nil {
			p.Repaired, p.Action = true, "replaced meanwhile by another process"
			return
		}
		if _, err := c.setAside(name); err != nil {
			p.Action = "not repaired: " + writeError(c.dir, "setting the entry aside", err).Error()
			return
		}
		p.Repaired, p.Action = true, "set aside: the next pull extracts it again"
	})
}

// resealEntry seals the entry called name again, after checking under its
// exclusive lock that its bytes are still those of its sealed record.
func (c *Cache) resealEntry(name string, p *Problem) {
	c.underLock(name, p, func() {
		gone, touched, why := c.checkDir(name)
		switch {
		case gone || why == nil && !touched:
			p.Repaired, p.Action = true, "replaced meanwhile by another process"
			return
		case why != nil:
			c.repairEntry(name, p)
			return
		}
		e, _ := c.readEntry(name, true)
		if e == nil {
			p.Action = "not repaired: the entry changed meanwhile"
			return
		}
		if err := reseal(filepath.Join(c.entries, name), filepath.Base(e.Path)); err != nil {
			p.Action = "not repaired: " + writeError(c.dir, "sealing the entry", err).Error()
			return
		}
		c.touch(filepath.Join(c.entries, name, verifiedName), 0)
		p.Repaired, p.Action = true, "sealed again"
	})
}

// underLock runs fix under the exclusive lock of the entry called name,
// taken without waiting, reporting in p why it could not.
func (c *Cache) underLock(name string, p *Problem, fix func()) {
	unlock, ok, err := tryLockFile(filepath.Join(c.entries, name+".lock"))
	switch {
	case err != nil:
		p.Action = "not repaired: " + err.Error()
		return
	case !ok:
		p.Action = "not repaired: in use by another process; try again once it is released"
		return
	}
	fix()
	if err := unlock(); err != nil {
		p.Repaired, p.Action = false, "not repaired: "+err.Error()
	}
}

// checkDir checks the entry directory called name in full. gone reports
// that it is not there; touched that its binary is intact but no longer
// matches its seal.
func (c *Cache) checkDir(name string) (gone, touched bool, why error) {
	e, bad := c.readEntry(name, true)
	switch {
	case bad != nil:
		return false, false, bad.Err
	case e == nil:
		return true, false, nil
	}
	fi, err := statCheck(e.Path, &e.Entry, os.Geteuid())
	if err != nil {
		return false, false, fmt.Errorf("%v: %w", err, ErrDamaged)
	}
	if err := verifyFile(e.Path, e.BinarySHA256); err != nil {
		return false, false, fmt.Errorf("%v: %w", err, ErrDamaged)
	}
	s, err := readSeal(filepath.Dir(e.Path))
	if err != nil {
		return false, false, fmt.Errorf("%v: %w", err, ErrDamaged)
	}
	return false, stampOf(fi) != s.Binary, nil
}

// add records the problem why at path, repairing it with fix when asked;
// what a newer supctl wrote is never touched.
func (r *VerifyReport) add(kind, path string, why error, repair bool, fix func(*Problem)) {
	p := Problem{Kind: kind, Path: path, Err: why, Message: why.Error()}
	switch {
	case errors.Is(why, manifest.ErrSchema):
		p.Action = "left as is: written by a newer supctl; upgrade supctl"
	case repair && fix != nil:
		fix(&p)
	}
	r.Problems = append(r.Problems, p)
}

// repairRecord moves the corrupt record file p.Path, of the given kind,
// aside.
func (c *Cache) repairRecord(kind string, p *Problem) {
	aside, err := c.records.SetAside(p.Path)
	switch {
	case err != nil:
		p.Action = "not repaired: " + err.Error()
	case aside == "":
		p.Repaired, p.Action = true, "replaced meanwhile by another process"
	default:
		p.Repaired, p.Action = true, "moved to "+aside+": "+rebuiltBy[kind]
	}
}

var rebuiltBy = map[string]string{
	"ref":   "the next pull of the reference records it again",
	"index": "the next pull of the image records it again",
	"pin":   "pin the reference again",
}
