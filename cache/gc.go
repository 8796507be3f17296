package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
)

// A Reason says why [Cache.GC] kept or removed an entry.
type Reason string

// Reasons for keeping an entry, in the order GC considers them, then
// reasons for removing one.
const (
	ReasonPinned      Reason = "pinned"
	ReasonCurrentRef  Reason = "current-ref"
	ReasonLinked      Reason = "linked" // a link, or its previous target, points at it (see Cache.SetLink)
	ReasonNewerSchema Reason = "newer-schema"
	ReasonKeep        Reason = "keep"
	ReasonRecent      Reason = "recent"
	ReasonInUse       Reason = "in-use"
	ReasonBadLock     Reason = "bad-lock" // its lock file is unusable; verify --repair fixes it

	ReasonUnused  Reason = "unused"
	ReasonDamaged Reason = "damaged"
)

// A GCEntry is an entry that [Cache.GC] removed or kept.
type GCEntry struct {
	// Path is the entry's directory. Digest, File, Ref, Platform and
	// Version come from its record, and are empty for a damaged entry.
	Path     string        `json:"path"`
	Digest   digest.Digest `json:"digest,omitempty"`
	File     string        `json:"file,omitempty"`
	Ref      string        `json:"ref,omitempty"`
	Platform string        `json:"platform,omitempty"`
	Version  string        `json:"version,omitempty"`
	// Bytes is the size of the entry's files; LastUsed its last use.
	Bytes    int64     `json:"bytes"`
	LastUsed time.Time `json:"last_used,omitzero"`
	// Reason is why it was kept or removed; Refs the refs and pins that
	// protect it.
	Reason Reason   `json:"reason"`
	Refs   []string `json:"refs,omitempty"`
}

// A GCReport is what [Cache.GC] did, or with DryRun would do.
type GCReport struct {
	DryRun  bool      `json:"dry_run"`
	Removed []GCEntry `json:"removed"`
	Kept    []GCEntry `json:"kept"`
	// Leftovers are temporary files and directories of dead writers and
	// set-aside entries, removed with the entries by the rule of
	// [StaleAge].
	Leftovers []Leftover `json:"leftovers"`
	// Freed is the number of bytes removed: entries and leftovers.
	Freed int64 `json:"freed_bytes"`
}

// GC removes the entries that p allows and nothing protects, and the
// leftovers of dead processes. It reads the records before removing
// anything, and removes nothing if it cannot tell what they protect (a
// record of a newer schema, say). An entry is removed only under its exclusive lock, taken without
// waiting: an entry whose lock is busy is in use and kept. Removal renames
// the entry's directory away, then deletes it; its lock file stays.
//
// A process that looked an entry up without holding it may find it gone
// afterwards (never partial); long-lived users hold entries with
// [Cache.Hold]. GC stops at the first entry it fails to remove and returns
// the report so far with the error.
func (c *Cache) GC(ctx context.Context, p GCPolicy) (*GCReport, error) {
	if p.MaxUnused < 0 || p.Keep < 0 {
		return nil, fmt.Errorf("gc: negative policy %+v", p)
	}
	// List the entries before reading the records: an entry committed
	// after the listing, whose ref record may not be written yet when the
	// records are read, is then not considered at all.
	// The seals are not checked: what a collection removes it never
	// hands out, and an entry a pin protects is kept even when its record
	// is no longer believed (its next use extracts it again).
	entries, bad, err := c.scan(ctx, false)
	if err != nil {
		return nil, err
	}
	roots, err := c.Roots(ctx)
	if err != nil {
		return nil, fmt.Errorf("gc: %w; nothing was removed", err)
	}
	r := &GCReport{DryRun: p.DryRun, Removed: []GCEntry{}, Kept: []GCEntry{}, Leftovers: []Leftover{}}
	var trash []string // removed entries, to delete
	defer func() { empty(trash) }()
	now := c.now()
	kept := newest(entries, p.Keep)
	links := c.linked()
	for i := range entries {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		e := &entries[i]
		g := GCEntry{
			Path: filepath.Dir(e.Path), Digest: e.ManifestDigest, File: e.File, Ref: e.Ref,
			Platform: e.Platform, Version: e.Version, LastUsed: e.LastUsed,
		}
		pins, refs := roots.Pins(e), roots.Refs(e)
		switch {
		case len(pins) > 0:
			g.Reason, g.Refs = ReasonPinned, pins
		case len(refs) > 0:
			g.Reason, g.Refs = ReasonCurrentRef, refs
		case len(links[e.Key().name()]) > 0:
			g.Reason, g.Refs = ReasonLinked, links[e.Key().name()]
		case kept[e.Key().name()]:
			g.Reason = ReasonKeep
		case recent(e, p, now):
			g.Reason = ReasonRecent
		default:
			g.Reason = ReasonUnused
			if err := c.remove(&g, p, now, r, &trash); err != nil {
				return r, err
			}
			continue
		}
		g.Bytes = dirSize(g.Path)
		r.Kept = append(r.Kept, g)
	}
	for _, b := range bad {
		g := GCEntry{Path: b.Path, Reason: ReasonDamaged}
		if errors.Is(b, manifest.ErrSchema) {
			g.Reason, g.Bytes = ReasonNewerSchema, dirSize(b.Path)
			r.Kept = append(r.Kept, g)
			continue
		}
		if err := c.remove(&g, p, now, r, &trash); err != nil {
			return r, err
		}
	}
	empty(trash)
	trash = nil
	found, err := c.findLeftovers(ctx)
	if err != nil {
		return r, err
	}
	if !p.DryRun {
		found = c.removeLeftovers(found)
	}
	for _, l := range found {
		r.Leftovers = append(r.Leftovers, l)
		r.Freed += l.Bytes
	}
	sort.Slice(r.Removed, func(i, j int) bool { return r.Removed[i].Path < r.Removed[j].Path })
	sort.Slice(r.Kept, func(i, j int) bool { return r.Kept[i].Path < r.Kept[j].Path })
	return r, nil
}

// remove removes the entry directory g.Path under its exclusive lock and
// adds it to the report: to Removed, or to Kept if it turns out to be in
// use or used meanwhile. One that has vanished is left out. The directory
// is renamed into the trash under the lock, and deleted later.
func (c *Cache) remove(g *GCEntry, p GCPolicy, now time.Time, r *GCReport, bin *[]string) error {
	lock := tryLockFile
	if p.DryRun {
		lock = tryLockExisting // a dry run creates nothing
	}
	unlock, ok, err := lock(g.Path + ".lock")
	if err != nil {
		// A lock file that is a directory, say: nothing can be removed
		// safely under it; the others are collected all the same.
		g.Reason, g.Bytes = ReasonBadLock, dirSize(g.Path)
		r.Kept = append(r.Kept, *g)
		return nil
	}
	if !ok {
		g.Reason, g.Bytes = ReasonInUse, dirSize(g.Path)
		r.Kept = append(r.Kept, *g)
		return nil
	}
	trash, err := c.removeLocked(g, p, now, r)
	if uerr := unlock(); err == nil {
		err = uerr
	}
	if trash != "" {
		*bin = append(*bin, trash)
	}
	return err
}

// gcWorkers is how many directories GC deletes at once: deleting is bound
// by the file system's latency, not by the processor.
const gcWorkers = 4

// empty deletes the directories in trash.
func empty(trash []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	for range min(gcWorkers, len(trash)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				removeAll(p)
			}
		}()
	}
	for _, p := range trash {
		ch <- p
	}
	close(ch)
	wg.Wait()
}

// removeLocked is remove under the entry's lock. It renames the entry away
// and returns where to, for the caller to delete after unlocking.
func (c *Cache) removeLocked(g *GCEntry, p GCPolicy, now time.Time, r *GCReport) (trash string, err error) {
	// Look again: the entry may have been used, replaced or removed since
	// it was listed.
	name := filepath.Base(g.Path)
	e, bad := c.readEntry(name, false)
	// Linked since the links were read? A link is switched with its entry
	// held, so under this lock what the links name is settled.
	linked := c.linked()[name]
	switch {
	case e == nil && bad == nil:
		return "", nil
	case e != nil && recent(e, p, now):
		g.Reason, g.LastUsed = ReasonRecent, e.LastUsed
	case e != nil && len(linked) > 0:
		g.Reason, g.Refs = ReasonLinked, linked
	case bad != nil && errors.Is(bad, manifest.ErrSchema):
		g.Reason = ReasonNewerSchema
	}
	g.Bytes = dirSize(g.Path)
	if g.Reason != ReasonUnused && g.Reason != ReasonDamaged {
		r.Kept = append(r.Kept, *g)
		return "", nil
	}
	if !p.DryRun {
		trash = filepath.Join(c.entries, ".trash-"+name+"-"+strconv.FormatInt(c.now().UnixNano(), 10))
		if err := os.Rename(g.Path, trash); err != nil {
			return "", writeError(c.dir, "removing cache entry "+name, err)
		}
	}
	r.Removed = append(r.Removed, *g)
	r.Freed += g.Bytes
	return trash, nil
}
