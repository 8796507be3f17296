package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

func newGC(g *globals) *cobra.Command {
	var (
		maxUnused time.Duration
		keep      int
		dryRun    bool
		gwExtr    bool
	)
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove cache entries nothing uses any more",
		Long: "gc removes entries that are not pinned, not the current digest of a recorded\n" +
			"ref, not in use by a running process, and unused for longer than --max-unused,\n" +
			"keeping the --keep newest images of each repository; and what killed processes\n" +
			"left behind: temporary entries whose writer is gone (its lock is free), and\n" +
			"temporary records and set-aside entries last written over 10 minutes ago.\n" +
			"It prints what it removed and the bytes freed; --dry-run changes nothing.\n\n" +
			"gc never touches the OpenShell gateway's own extractions (sha256-*/ beside\n" +
			"supctl's cache, podman-supervisor/). --gateway-extractions removes them, and\n" +
			"only them: the gateway extracts its image again at its next start.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keep < 0 {
				return usagef("--keep %d: want 0 or more", keep)
			}
			if gwExtr {
				return gcGatewayExtractions(cmd.Context(), g, dryRun)
			}
			c, err := g.openExistingCache()
			if errors.Is(err, fs.ErrNotExist) {
				c = nil // nothing cached yet: nothing to remove
			} else if err != nil {
				return err
			}
			if c == nil {
				r := &cache.GCReport{DryRun: dryRun, Removed: []cache.GCEntry{}, Kept: []cache.GCEntry{}, Leftovers: []cache.Leftover{}}
				if g.json {
					return g.printJSON(r)
				}
				return printGC(g, r)
			}
			g.log.Debug("gc", "cache_dir", c.Dir(), "max_unused", formatDuration(maxUnused), "keep", keep, "dry_run", dryRun)
			r, err := c.GC(cmd.Context(), cache.GCPolicy{MaxUnused: maxUnused, Keep: keep, DryRun: dryRun})
			if r == nil {
				return err
			}
			if g.json {
				if err != nil {
					return &docError{err, r}
				}
				return g.printJSON(r)
			}
			if perr := printGC(g, r); err == nil {
				err = perr
			}
			return err
		},
	}
	f := cmd.Flags()
	durationVar(f, &maxUnused, "max-unused", cache.DefaultMaxUnused, "remove entries unused for longer than this (e.g. 30d, 2w, 12h)")
	f.IntVar(&keep, "keep", 0, "keep the N newest images of each repository, however long unused")
	f.BoolVar(&dryRun, "dry-run", false, "show what would be removed; remove nothing")
	f.BoolVar(&gwExtr, "gateway-extractions", false, "remove the OpenShell gateway's own extracted supervisors instead (try --dry-run first)")
	return document(cmd, []string{
		"supctl gc --dry-run",
		"supctl gc --max-unused 2w --keep 2",
		"supctl gc --json | jq .freed_bytes",
		"supctl gc --gateway-extractions --dry-run",
	}, exitOK, exitFailure, exitUsage, exitInterrupted)
}

func printGC(g *globals, r *cache.GCReport) error {
	verb, total := "removed", "removed %d %s, freed %d bytes (%s)\n"
	if r.DryRun {
		verb, total = "would remove", "would remove %d %s, freeing %d bytes (%s)\n"
	}
	var b strings.Builder
	for _, e := range r.Removed {
		if e.Reason == cache.ReasonDamaged {
			fmt.Fprintf(&b, "%s damaged entry %s (%s)\n", verb, e.Path, size(e.Bytes))
			continue
		}
		fmt.Fprintf(&b, "%s %s %s %s %s (%s, last used %s)\n", verb, short(e.Digest.String()), e.Platform,
			orUnknown(e.Version), e.Ref, size(e.Bytes), e.LastUsed.Local().Format(timeFormat))
	}
	for _, l := range r.Leftovers {
		fmt.Fprintf(&b, "%s leftover %s %s (%s, last written %s ago)\n", verb, l.What, l.Path, size(l.Bytes), l.Age.Round(time.Second))
	}
	for _, e := range r.Kept {
		switch {
		case e.Reason != cache.ReasonInUse:
		case e.Digest == "":
			fmt.Fprintf(&b, "kept damaged entry %s: in use by another process\n", e.Path)
		default:
			fmt.Fprintf(&b, "kept %s %s %s: in use by another process\n", short(e.Digest.String()), e.Platform, e.Ref)
		}
	}
	fmt.Fprintf(&b, total, len(r.Removed), plural(len(r.Removed), "entry", "entries"), r.Freed, size(r.Freed))
	_, err := fmt.Fprint(g.stdout, b.String())
	return err
}
