package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

// timeFormat is how plain output shows a time.
const timeFormat = "2006-01-02 15:04"

// lsEntry is one entry of "supctl ls --json".
type lsEntry struct {
	Digest        string    `json:"digest"`
	IndexDigest   string    `json:"index_digest"`
	File          string    `json:"file"`
	Path          string    `json:"path"`
	Ref           string    `json:"ref"`
	Registry      string    `json:"registry"`
	Repository    string    `json:"repository"`
	Platform      string    `json:"platform"`
	LayerDigest   string    `json:"layer_digest"`
	Version       string    `json:"version"`
	VersionSource string    `json:"version_source"`
	BinarySHA256  string    `json:"binary_sha256"`
	Size          int64     `json:"size"`
	ExtractedAt   time.Time `json:"extracted_at"`
	LastUsed      time.Time `json:"last_used"`
	Refs          []string  `json:"refs"`
	Pins          []string  `json:"pins"`
	Pinned        bool      `json:"pinned"`
}

func newLs(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "ls",
		Short: "List the cache's entries",
		Long: "ls lists the cached binaries: digest, platform, version, size, the refs whose\n" +
			"records point at each (and the ref it was extracted for), last use, and\n" +
			"whether it is pinned. It does not check the binaries: see \"supctl verify\".",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.openCache()
			if err != nil {
				return err
			}
			es, err := c.Entries(cmd.Context())
			if err != nil {
				if ctxErr := cmd.Context().Err(); ctxErr != nil {
					return ctxErr
				}
				warn(g, err, "run \"supctl verify\"")
			}
			roots, err := c.Roots(cmd.Context())
			if err != nil {
				warn(g, err, "the REFS and PINNED columns may be incomplete")
			}
			list := make([]lsEntry, len(es))
			for i := range es {
				e := &es[i]
				refs := roots.Refs(e)
				if !slices.Contains(refs, e.Ref) {
					refs = append(refs, e.Ref)
					slices.Sort(refs)
				}
				pins := roots.Pins(e)
				list[i] = lsEntry{
					Digest: e.ManifestDigest.String(), IndexDigest: e.IndexDigest.String(), File: e.File, Path: e.Path,
					Ref: e.Ref, Registry: e.Registry, Repository: e.Repository, Platform: e.Platform,
					LayerDigest: e.LayerDigest.String(), Version: e.Version, VersionSource: e.VersionSource,
					BinarySHA256: e.BinarySHA256.Encoded(), Size: e.Size, ExtractedAt: e.ExtractedAt,
					LastUsed: e.LastUsed, Refs: refs, Pins: append([]string{}, pins...), Pinned: len(pins) > 0,
				}
			}
			if g.json {
				return g.printJSON(list)
			}
			return printLs(g, list)
		},
	}
}

func printLs(g *globals, list []lsEntry) error {
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DIGEST\tPLATFORM\tVERSION\tSIZE\tREFS\tLAST USED\tPINNED")
	for _, e := range list {
		d := short(e.Digest)
		if e.File != cache.DefaultFile {
			d += ":" + e.File
		}
		pinned := "no"
		if e.Pinned {
			pinned = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d, e.Platform, orUnknown(e.Version), size(e.Size),
			strings.Join(e.Refs, ","), e.LastUsed.Local().Format(timeFormat), pinned)
	}
	return tw.Flush()
}

// warn prints each error joined in err as a warning line on stderr.
func warn(g *globals, err error, hint string) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		fmt.Fprintf(g.stderr, "supctl: warning: %s; %s\n", oneLine(e), hint)
	}
}

// short abbreviates a digest to its algorithm and 12 hex digits.
func short(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// size formats a number of bytes for people.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
