package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

func newGC(g *globals) *cobra.Command {
	maxUnused := days(cache.DefaultMaxUnused)
	var (
		keep   int
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove cache entries nothing uses any more",
		Long: "gc removes entries that are not pinned, not the current digest of a recorded\n" +
			"ref, not in use by a running process, and unused for longer than --max-unused,\n" +
			"keeping the --keep newest images of each repository; and what killed processes\n" +
			"left behind. It prints what it removed and the bytes freed.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keep < 0 {
				return usagef("--keep %d: want 0 or more", keep)
			}
			c, err := g.openCache()
			if err != nil {
				return err
			}
			r, err := c.GC(cmd.Context(), cache.GCPolicy{MaxUnused: time.Duration(maxUnused), Keep: keep, DryRun: dryRun})
			if r == nil {
				return err
			}
			if g.json {
				if perr := g.printJSON(r); err == nil {
					err = perr
				}
				return err
			}
			if perr := printGC(g, r); err == nil {
				err = perr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.Var(&maxUnused, "max-unused", "remove entries unused for longer than this (e.g. 30d, 12h)")
	f.IntVar(&keep, "keep", 0, "keep the N newest images of each repository, however long unused")
	f.BoolVar(&dryRun, "dry-run", false, "show what would be removed; remove nothing")
	return cmd
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
		fmt.Fprintf(&b, "%s leftover %s (%s)\n", verb, l.Path, size(l.Bytes))
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

// days is a duration flag that also takes days: "30d", "1.5d".
type days time.Duration

func (d *days) Set(s string) error {
	v, err := time.ParseDuration(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var f float64
		if f, err = strconv.ParseFloat(n, 64); err == nil {
			v = time.Duration(f * float64(24*time.Hour))
		}
	}
	if err != nil || v < 0 {
		return fmt.Errorf("want a duration such as 30d, 12h or 90m")
	}
	*d = days(v)
	return nil
}

func (d *days) String() string {
	if v := time.Duration(*d); v%(24*time.Hour) == 0 && v != 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return time.Duration(*d).String()
}

func (d *days) Type() string { return "duration" }
