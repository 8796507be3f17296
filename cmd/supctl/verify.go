package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

func newVerify(g *globals) *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every cache entry against its record",
		Long: "verify re-hashes every cached binary and checks it against its record and\n" +
			"seal, and checks every record file, lock file and directory of the cache and\n" +
			"lists the leftovers of killed processes. It prints each problem and exits\n" +
			"with status 6 if it found any; leftovers (what kill -9 normally leaves) are\n" +
			"listed with their age but do not fail it. Without --repair it changes\n" +
			"nothing. --repair sets bad entries, lock files and corrupt records aside and\n" +
			"removes leftovers (as gc does): the next pull extracts and records them again.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, dir, err := verifyCache(cmd, g, repair)
			if err != nil {
				return err
			}
			if g.json {
				if r.OK() {
					return g.printJSON(r)
				}
				return &docError{&exitError{code: exitCorrupt, err: verifyFailure(dir, r.Problems, repair)}, r}
			} else {
				var b strings.Builder
				for _, p := range r.Problems {
					fmt.Fprintf(&b, "%s: %s", p.Path, oneLine(advise(p.Err)))
					if p.Action != "" {
						fmt.Fprintf(&b, " (%s)", p.Action)
					}
					b.WriteByte('\n')
				}
				for _, l := range r.Leftovers {
					fmt.Fprintf(&b, "leftover: %s", withCLIRemedy(l.String(), l.Remedy()))
					if l.Action != "" {
						fmt.Fprintf(&b, " (%s)", l.Action)
					}
					b.WriteByte('\n')
				}
				if r.OK() {
					fmt.Fprintf(&b, "ok: %d %s verified\n", r.Entries, plural(r.Entries, "entry", "entries"))
				}
				_, err = fmt.Fprint(g.stdout, b.String())
			}
			if err != nil || r.OK() {
				return err
			}
			return &exitError{code: exitCorrupt, err: verifyFailure(dir, r.Problems, repair)}
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "set bad entries and corrupt records aside")
	return document(cmd, []string{
		"supctl verify",
		"supctl verify --repair",
		"supctl verify --json | jq '.problems[].path'",
	}, exitOK, exitFailure, exitUsage, exitCorrupt, exitInterrupted)
}

// verifyCache verifies the cache the flags name. A cache that breaks the
// ownership rule is not opened: that is its one problem, reported like the
// others, and never repaired (supctl does not change what it cannot trust).
func verifyCache(cmd *cobra.Command, g *globals, repair bool) (*cache.VerifyReport, string, error) {
	c, err := g.openExistingCache()
	var ue *cache.UnsafeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir, _ := g.cacheDirectory()
		return &cache.VerifyReport{Problems: []cache.Problem{}, Leftovers: []cache.Leftover{}}, dir, nil // nothing cached yet: nothing wrong
	case errors.As(err, &ue):
		r := &cache.VerifyReport{Leftovers: []cache.Leftover{}, Problems: []cache.Problem{{Kind: cache.ProblemDirectory, Path: ue.Path, Err: ue, Message: ue.Error()}}}
		if repair {
			r.Problems[0].Action = "not repaired: fix the ownership as said"
		}
		return r, ue.Path, nil
	case err != nil:
		return nil, "", err
	}
	r, err := c.Verify(cmd.Context(), repair)
	return r, c.Dir(), err
}

// A verifyError reports the problems verify found.
type verifyError struct {
	dir      string
	problems int
	msg      string
}

func (e *verifyError) Error() string { return e.msg }

// verifyFailure is the error line of a verify that found problems.
func verifyFailure(dir string, problems []cache.Problem, repair bool) error {
	n := len(problems)
	if n == 1 && problems[0].Kind == cache.ProblemDirectory && errors.Is(problems[0].Err, cache.ErrUnsafeDir) {
		return &verifyError{dir, n, "the cache is not safe to use, and was not verified: fix " + dir + " as said above"}
	}
	msg := fmt.Sprintf("found %d %s in cache %s", n, plural(n, "problem", "problems"), dir)
	if onlyLinks(problems) {
		return &verifyError{dir, n, msg + "; switch each link to a sound binary with \"supctl pull REF --compat RANGE --link NAME\""}
	}
	if !repair {
		return &verifyError{dir, n, msg + "; run \"supctl verify --repair\" to set them aside"}
	}
	fixed := 0
	for _, p := range problems {
		if p.Repaired {
			fixed++
		}
	}
	msg += fmt.Sprintf(", repaired %d", fixed)
	if fixed < n {
		msg += fmt.Sprintf("; %d could not be repaired (see above)", n-fixed)
	}
	return &verifyError{dir, n, msg + "; the next pull extracts set-aside entries again"}
}
