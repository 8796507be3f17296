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

	"github.com/openshell-contrib/supctl/remedy"
)

// StaleAge is how old a leftover without a lock to tell must be before
// [Cache.GC] removes it, and [Cache.Verify] reports it: a temporary record
// file (its writer renames it within moments of creating it), and an
// entry directory set aside or collected (its remover deletes it at once).
// A temporary entry directory needs no age: its writer holds the entry's
// lock for as long as it lives, so one whose lock is free is a dead
// writer's, however young.
const StaleAge = 10 * time.Minute

// A Leftover is a file or directory that a process killed in the middle
// of its work left behind.
type Leftover struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	// Age is how long ago it was last written, AgeSeconds the same in
	// whole seconds.
	Age        time.Duration `json:"-"`
	AgeSeconds int64         `json:"age_seconds"`
	// What it is: "temporary entry", "set-aside entry", "temporary record"
	// or "temporary seal".
	What string `json:"what"`
	// Action says, after a verification with repair, what was done:
	// "removed", or why it was not.
	Action string `json:"action,omitempty"`
}

// String says what l is, its age, and what removes it.
func (l Leftover) String() string {
	return fmt.Sprintf("%s %s left by a killed process, last written %s ago %s",
		l.What, l.Path, l.Age.Round(time.Second), l.Remedy())
}

// Remedy is a collection, or a repairing verification, which removes l.
func (l Leftover) Remedy() remedy.Remedy {
	return remedy.Remedy{Action: remedy.Collect, Before: "(not damage: ", After: " removes it)"}
}

// findLeftovers lists what dead processes left, by the rule of [StaleAge],
// changing nothing on disk.
func (c *Cache) findLeftovers(ctx context.Context) ([]Leftover, error) {
	now := c.now()
	var out []Leftover
	des, err := c.readEntriesDir()
	if err != nil {
		return nil, err
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		n, p := de.Name(), filepath.Join(c.entries, de.Name())
		fi, err := de.Info()
		if err != nil {
			continue // gone meanwhile
		}
		age := now.Sub(fi.ModTime())
		switch {
		case strings.HasPrefix(n, ".damaged-"), strings.HasPrefix(n, ".trash-"):
			if age > StaleAge {
				out = append(out, Leftover{Path: p, Bytes: dirSize(p), Age: age, What: "set-aside entry"})
			}
		case strings.HasPrefix(n, ".tmp-"):
			// Probe the lock, then look again: a writer that finished in
			// between renamed or removed its directory before unlocking.
			if !writerLives(filepath.Join(c.entries, tmpEntry(n)+".lock")) {
				if _, err := os.Lstat(p); err == nil {
					out = append(out, Leftover{Path: p, Bytes: dirSize(p), Age: age, What: "temporary entry"})
				}
			}
		}
	}
	defer func() {
		for i := range out {
			out[i].AgeSeconds = int64(out[i].Age / time.Second)
		}
	}()
	recs, err := c.records.Leftovers(now.Add(-StaleAge))
	if err != nil {
		return out, err
	}
	for _, l := range recs {
		out = append(out, Leftover{Path: l.Path, Bytes: l.Bytes, Age: now.Sub(l.ModTime), What: "temporary record"})
	}
	return out, nil
}

// tmpEntry returns the name of the entry the temporary directory called n
// (".tmp-<entry>-<random>") is filling.
func tmpEntry(n string) string {
	entry := strings.TrimPrefix(n, ".tmp-")
	if i := strings.LastIndexByte(entry, '-'); i > 0 {
		entry = entry[:i]
	}
	return entry
}

// writerLives reports whether a process holds the exclusive lock at p, a
// writer's. It creates nothing: a missing lock file has no holder. A lock
// that cannot be probed counts as held.
func writerLives(p string) bool {
	held, err := exclusivelyHeld(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	return err != nil || held
}

// removeLeftovers removes the leftovers found, those still there, and
// returns the ones it removed.
func (c *Cache) removeLeftovers(found []Leftover) []Leftover {
	var out []Leftover
	for _, l := range found {
		var err error
		switch l.What {
		case "temporary record":
			err = c.records.RemoveLeftover(l.Path)
		case "temporary entry":
			// Under the entry's lock, so that no writer starts meanwhile.
			unlock, ok, lerr := tryLockFile(filepath.Join(c.entries, tmpEntry(filepath.Base(l.Path))+".lock"))
			if lerr != nil || !ok {
				continue
			}
			err = removeAll(l.Path)
			if uerr := unlock(); err == nil {
				err = uerr
			}
		default:
			err = removeAll(l.Path)
		}
		if err == nil {
			out = append(out, l)
		}
	}
	return out
}

// dirSize returns the total size of the regular files under p.
func dirSize(p string) int64 {
	var n int64
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
