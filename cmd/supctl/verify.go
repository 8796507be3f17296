package main

import (
	"fmt"
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
			"the leftovers of killed processes. It prints each problem and exits with\n" +
			"status 6 if it found any; without --repair it changes nothing. --repair sets\n" +
			"bad entries, lock files and corrupt records aside and removes leftovers: the\n" +
			"next pull extracts and records them again.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.openCache()
			if err != nil {
				return err
			}
			r, err := c.Verify(cmd.Context(), repair)
			if err != nil {
				return err
			}
			if g.json {
				if r.OK() {
					return g.printJSON(r)
				}
				return &docError{&exitError{code: exitCorrupt, err: verifyFailure(c.Dir(), r.Problems, repair)}, r}
			} else {
				var b strings.Builder
				for _, p := range r.Problems {
					fmt.Fprintf(&b, "%s: %s", p.Path, oneLine(p.Err))
					if p.Action != "" {
						fmt.Fprintf(&b, " (%s)", p.Action)
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
			return &exitError{code: exitCorrupt, err: verifyFailure(c.Dir(), r.Problems, repair)}
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "set bad entries and corrupt records aside")
	return cmd
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
	msg := fmt.Sprintf("found %d %s in cache %s", n, plural(n, "problem", "problems"), dir)
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
