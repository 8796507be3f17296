package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

// timeFormat is how plain output shows a time.
const timeFormat = "2006-01-02 15:04"

// lsEntry is one entry of "supctl ls --json".
type lsEntry struct {
	Digest        string    `json:"digest"`
	IndexDigest   string    `json:"index_digest,omitempty"`
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
	PreviousRefs  []string  `json:"previous_refs,omitempty"`
	Current       bool      `json:"current"`
	Pins          []string  `json:"pins"`
	Pinned        bool      `json:"pinned"`
}

const lsLong = `ls lists the cached binaries, one per line: digest, platform, version, size,
last use, and the refs that point at it now, then "(pinned)" if a pin keeps it.

A tag that moved (a new image was pushed and pulled under it) is listed on the
entry it points at now only; the entry it pointed at before shows "-" under
REFS, and "supctl gc" may remove it once it is unused for --max-unused. An
entry pulled by digest lists that digest reference. Digests and digest
references are shortened to 12 hex digits, last use is relative, and on a
terminal the REFS column is cut to its width; --no-trunc prints all in full.

ls does not check the binaries: see "supctl verify". After the table it lists
the OpenShell gateway's own extractions, if any, which supctl never touches;
--gateway-extractions lists only those (with --json, as an array).

--json prints an array of entries with every field: digest, index_digest
(omitted when none), file, path, ref (the reference it was extracted for),
registry, repository, platform, layer_digest, version, version_source,
binary_sha256, size, extracted_at, last_used, refs (the refs pointing at it
now), previous_refs (tags it was extracted for that now point elsewhere;
omitted when none), current (some ref points at it now), pins, pinned.`

// printLsList prints the entries as a JSON array or a table.
func printLsList(ctx context.Context, g *globals, list []lsEntry, noTrunc bool) error {
	if list == nil {
		list = []lsEntry{}
	}
	if g.json {
		return g.printJSON(list)
	}
	if err := printLs(g, list, noTrunc, time.Now(), terminalWidth(g.stdout)); err != nil {
		return err
	}
	dir, xs, err := gatewayExtractions(ctx)
	if err != nil {
		warn(g, err, "see \"supctl ls --gateway-extractions\"")
	}
	var b strings.Builder
	printGatewayExtractions(&b, dir, xs, time.Now())
	_, err = fmt.Fprint(g.stdout, b.String())
	return err
}

func newLs(g *globals) *cobra.Command {
	var noTrunc, gwOnly bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the cache's entries",
		Long:  lsLong,
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if gwOnly {
				_, xs, err := gatewayExtractions(cmd.Context())
				if err != nil {
					return err
				}
				if g.json {
					return g.printJSON(xs)
				}
				var b strings.Builder
				for _, x := range xs {
					fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", x.Driver, x.ImageID, x.Path, x.ModTime.Local().Format(time.RFC3339))
				}
				_, err = fmt.Fprint(g.stdout, b.String())
				return err
			}
			c, err := g.openExistingCache()
			if errors.Is(err, fs.ErrNotExist) {
				return printLsList(cmd.Context(), g, nil, noTrunc) // nothing cached yet
			}
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
				list[i] = newLsEntry(&es[i], roots)
			}
			return printLsList(cmd.Context(), g, list, noTrunc)
		},
	}
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "print digests, digest references and times in full")
	cmd.Flags().BoolVar(&gwOnly, "gateway-extractions", false, "list the OpenShell gateway's own extracted supervisors instead (--json: an array of them)")
	return document(cmd, []string{
		"supctl ls",
		"supctl ls --no-trunc",
		"supctl ls --json | jq -r '.[] | select(.current | not) | .path'",
	}, exitOK, exitFailure, exitUsage, exitInterrupted)
}

// newLsEntry describes e; roots may be nil when the records could not be
// read.
func newLsEntry(e *cache.Entry, roots *cache.Roots) lsEntry {
	var refs, pins []string
	if roots != nil {
		refs, pins = roots.Refs(e), roots.Pins(e)
	}
	refs = slices.Clone(refs)
	var previous []string
	switch {
	case slices.Contains(refs, e.Ref):
	case strings.Contains(e.Ref, "@"):
		// Pulled by digest: that reference always means this entry.
		refs = append(refs, e.Ref)
		slices.Sort(refs)
	default:
		previous = []string{e.Ref}
	}
	return lsEntry{
		Digest: e.ManifestDigest.String(), IndexDigest: e.IndexDigest.String(), File: e.File, Path: e.Path,
		Ref: e.Ref, Registry: e.Registry, Repository: e.Repository, Platform: e.Platform,
		LayerDigest: e.LayerDigest.String(), Version: e.Version, VersionSource: e.VersionSource,
		BinarySHA256: e.BinarySHA256.Encoded(), Size: e.Size, ExtractedAt: e.ExtractedAt,
		LastUsed: e.LastUsed, Refs: nonNil(refs), PreviousRefs: previous, Current: len(refs) > 0,
		Pins: nonNil(slices.Clone(pins)), Pinned: len(pins) > 0,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printLs prints the table; width, if positive, is the terminal's: the
// REFS column is cut to fit it.
func printLs(g *globals, list []lsEntry, noTrunc bool, now time.Time, width int) error {
	rows := [][]string{{"DIGEST", "PLATFORM", "VERSION", "SIZE", "LAST USED", "REFS"}}
	for _, e := range list {
		d, used := shortHex(e.Digest), ago(now, e.LastUsed)
		if noTrunc {
			d, used = e.Digest, e.LastUsed.Local().Format(time.RFC3339)
		}
		if e.File != cache.DefaultFile {
			d += ":" + e.File
		}
		refs := make([]string, len(e.Refs))
		for i, r := range e.Refs {
			refs[i] = r
			if !noTrunc {
				refs[i] = shortRef(r)
			}
		}
		rows = append(rows, []string{d, e.Platform, orUnknown(e.Version), size(e.Size), used, strings.Join(refs, ", ")})
	}
	const gap = 2
	widths := make([]int, len(rows[0])-1)
	for _, r := range rows {
		for i := range widths {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	fixed := 0
	for _, w := range widths {
		fixed += w + gap
	}
	var b strings.Builder
	for i, r := range rows {
		for c, w := range widths {
			b.WriteString(r[c])
			b.WriteString(strings.Repeat(" ", w+gap-utf8.RuneCountInString(r[c])))
		}
		last := r[len(r)-1]
		if i > 0 {
			last = refsCell(last, list[i-1].Pinned, width-fixed, noTrunc)
		}
		b.WriteString(last)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(g.stdout, b.String())
	return err
}

// refsCell is the REFS column: the refs or "-", "(pinned)" after them when a
// pin keeps the entry, cut to room runes unless room <= 0 or noTrunc.
func refsCell(refs string, pinned bool, room int, noTrunc bool) string {
	suffix := ""
	if pinned {
		suffix = " (pinned)"
	}
	if refs == "" {
		refs, suffix = "-", strings.TrimPrefix(suffix, " ")
		if pinned {
			refs = ""
		}
	}
	if !noTrunc && room > 0 && utf8.RuneCountInString(refs+suffix) > room {
		keep := max(room-utf8.RuneCountInString(suffix)-1, 1)
		if r := []rune(refs); len(r) > keep {
			refs = string(r[:keep]) + "…"
		}
	}
	return refs + suffix
}

// shortHex is a digest's first 12 hex digits, as docker shows image IDs.
func shortHex(d string) string {
	_, hex, _ := strings.Cut(d, ":")
	if len(hex) > 12 {
		return hex[:12]
	}
	return d
}

// shortRef shortens the digest of a digest reference to 12 hex digits.
func shortRef(ref string) string {
	if repo, d, ok := strings.Cut(ref, "@"); ok {
		return repo + "@" + short(d)
	}
	return ref
}

// ago says how long before now t was, in the largest whole unit: "5m
// ago", "3h ago", "2d ago", "3w ago"; a date past 8 weeks.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	n := func(v time.Duration, unit string) string { return fmt.Sprintf("%d%s ago", v, unit) }
	switch {
	case t.IsZero():
		return "never"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return n(d/time.Minute, "m")
	case d < 2*day:
		return n(d/time.Hour, "h")
	case d < 2*week:
		return n(d/day, "d")
	case d < 8*week:
		return n(d/week, "w")
	}
	return t.Local().Format("2006-01-02")
}

// warn prints each error joined in err as a warning line on stderr.
func warn(g *globals, err error, hint string) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if g.logFormat == "json" && g.log != nil {
			g.log.Warn(oneLine(e), "hint", hint)
			continue
		}
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
