package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openshell-contrib/supctl/manifest"
)

// A VerifyReport is what [Cache.Verify] found and, asked to repair, did.
type VerifyReport struct {
	// Entries is the number of entry directories checked, Records the
	// number of record files read in refs/, indexes/ and pins/.
	Entries  int       `json:"entries"`
	Records  int       `json:"records"`
	Problems []Problem `json:"problems"`
}

// OK reports whether no problem was found.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// A Problem is one thing wrong in a cache.
type Problem struct {
	// Path is the entry directory or record file.
	Path string `json:"path"`
	// Err says what is wrong. It matches [ErrDamaged] for an entry,
	// [manifest.ErrCorrupt] for a record file, or [manifest.ErrSchema]
	// for either written by a newer supctl (never changed).
	Err     error  `json:"-"`
	Message string `json:"problem"`
	// Repaired says whether repair fixed it; Action says what was done or
	// why nothing was.
	Repaired bool   `json:"repaired"`
	Action   string `json:"action,omitempty"`
}

// Verify checks every entry in full: its record is valid and describes the
// entry's directory, and its binary is a regular file of mode 0555 with
// the recorded size and SHA-256. It also decodes every record in refs/,
// indexes/ and pins/. Each problem is reported with its path; problems are
// not errors. The error is for failures to verify at all.
//
// Each entry is checked under its shared lock, waited for until ctx is done:
// no fill or collection can change a committed entry meanwhile, while
// holders ([Cache.Hold]) and lookups go on. Temporary and set-aside
// directories are not entries and are left to [Cache.GC].
//
// With repair, Verify sets bad entries aside under their exclusive lock
// (the next fill extracts them again; one held in use is left and
// reported), moves corrupt record files aside with a ".corrupt-" suffix
// (the next pull records refs and indexes again), and refreshes the
// full-check stamp of the entries found sound. Without repair it changes
// nothing. Records of a newer schema are reported and never changed.
func (c *Cache) Verify(ctx context.Context, repair bool) (*VerifyReport, error) {
	r := &VerifyReport{Problems: []Problem{}}
	des, err := os.ReadDir(c.entries)
	if err != nil {
		return nil, fmt.Errorf("listing cache directory %s: %w", c.dir, err)
	}
	for _, de := range des {
		if isEntryName(de.Name()) {
			if err := c.verifyEntry(ctx, de.Name(), repair, r); err != nil {
				return r, err
			}
		}
	}
	for _, sub := range []string{"refs", "indexes", "pins"} {
		if err := c.verifyRecords(ctx, sub, repair, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// verifyEntry checks the entry directory called name.
func (c *Cache) verifyEntry(ctx context.Context, name string, repair bool, r *VerifyReport) error {
	lock := filepath.Join(c.entries, name+".lock")
	unlock, err := rlockFile(ctx, lock)
	if err != nil {
		return err
	}
	dir := filepath.Join(c.entries, name)
	gone, why := c.checkDir(name)
	if why == nil && !gone && repair {
		c.touch(filepath.Join(dir, verifiedName), 0) // still under the lock: what was hashed
	}
	if err := unlock(); err != nil {
		return err
	}
	if gone {
		return nil // removed by a collection meanwhile
	}
	r.Entries++
	if why == nil {
		return nil
	}
	r.add(dir, why, repair, func(p *Problem) { c.repairEntry(name, p) })
	return nil
}

// repairEntry sets the bad entry called name aside, under its exclusive
// lock taken without waiting.
func (c *Cache) repairEntry(name string, p *Problem) {
	unlock, ok, err := tryLockFile(filepath.Join(c.entries, name+".lock"))
	switch {
	case err != nil:
		p.Action = "not repaired: " + err.Error()
		return
	case !ok:
		p.Action = "not repaired: in use by another process; try again once it is released"
		return
	}
	defer unlock()
	if gone, why := c.checkDir(name); gone || why == nil {
		p.Repaired, p.Action = true, "replaced meanwhile by another process"
		return
	}
	if err := c.setAside(name); err != nil {
		p.Action = "not repaired: " + writeError(c.dir, "setting the entry aside", err).Error()
		return
	}
	p.Repaired, p.Action = true, "set aside: the next pull extracts it again"
}

// checkDir checks the entry directory called name in full. gone reports
// that it is not there.
func (c *Cache) checkDir(name string) (gone bool, why error) {
	e, bad := c.readEntry(name)
	switch {
	case bad != nil:
		return false, bad.Err
	case e == nil:
		return true, nil
	}
	if _, err := statCheck(e.Path, &e.Entry); err != nil {
		return false, fmt.Errorf("%v: %w", err, ErrDamaged)
	}
	if err := verifyFile(e.Path, e.BinarySHA256); err != nil {
		return false, fmt.Errorf("%v: %w", err, ErrDamaged)
	}
	return false, nil
}

// verifyRecords decodes every record file in the records directory sub.
func (c *Cache) verifyRecords(ctx context.Context, sub string, repair bool, r *VerifyReport) error {
	dir := filepath.Join(c.dir, sub)
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing records in %s: %w", dir, err)
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := de.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") {
			continue // temporary or set-aside files
		}
		path := filepath.Join(dir, n)
		gone, why := checkRecord(sub, path)
		if gone {
			continue
		}
		r.Records++
		if why == nil {
			continue
		}
		r.add(path, why, repair, func(p *Problem) { c.repairRecord(sub, p) })
	}
	return nil
}

// add records the problem why at path, repairing it with fix when asked;
// what a newer supctl wrote is never touched.
func (r *VerifyReport) add(path string, why error, repair bool, fix func(*Problem)) {
	p := Problem{Path: path, Err: why, Message: why.Error()}
	switch {
	case errors.Is(why, manifest.ErrSchema):
		p.Action = "left as is: written by a newer supctl; upgrade supctl"
	case repair:
		fix(&p)
	}
	r.Problems = append(r.Problems, p)
}

// checkRecord decodes the record file at path in the records directory
// sub, without side effects.
func checkRecord(sub, path string) (gone bool, why error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return errors.Is(err, os.ErrNotExist), err
	}
	var rec manifest.Record
	switch sub {
	case "refs":
		rec = &manifest.Ref{}
	case "indexes":
		rec = &manifest.Index{}
	default:
		rec = &manifest.Pin{}
	}
	if err := manifest.Decode(data, rec); err != nil {
		if errors.Is(err, manifest.ErrSchema) {
			return false, err
		}
		return false, fmt.Errorf("corrupt record: %v: %w", err, manifest.ErrCorrupt)
	}
	if x, ok := rec.(*manifest.Index); ok {
		if want := x.Digest.Algorithm().String() + "-" + x.Digest.Encoded() + ".json"; filepath.Base(path) != want {
			return false, fmt.Errorf("index record of %s is named %s, not %s: %w", x.Digest, filepath.Base(path), want, manifest.ErrCorrupt)
		}
	}
	return false, nil
}

// repairRecord moves the corrupt record file p.Path aside.
func (c *Cache) repairRecord(sub string, p *Problem) {
	if gone, why := checkRecord(sub, p.Path); gone || why == nil {
		p.Repaired, p.Action = true, "replaced meanwhile by another process"
		return
	}
	aside := p.Path + ".corrupt-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := os.Rename(p.Path, aside); err != nil {
		p.Action = "not repaired: " + writeError(c.dir, "moving the record aside", err).Error()
		return
	}
	p.Repaired, p.Action = true, "moved to "+filepath.Base(aside)+": "+rebuiltBy[sub]
}

var rebuiltBy = map[string]string{
	"refs":    "the next pull of the reference records it again",
	"indexes": "the next pull of the image records it again",
	"pins":    "pin the reference again",
}
