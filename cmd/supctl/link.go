package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/resolver"
)

// checkLinkFlag checks pull's --link: a name, and a range to switch under.
func checkLinkFlag(link, rng string) error {
	if link == "" {
		return nil
	}
	if err := cache.ValidLinkName(link); err != nil {
		return usagef("--link: %v", err)
	}
	if rng == "" {
		return usagef("--link %s needs --compat RANGE: a link is switched only to a binary checked against the gateway's range", link)
	}
	return nil
}

// linkedDoc is what "pull --link --json" prints: the pull's document,
// the link after it, and whether this pull switched it.
type linkedDoc struct {
	resultDoc
	Link     *cache.Link `json:"link"`
	Switched bool        `json:"switched"`
}

// pullLink is "supctl pull REF --compat R --link NAME".
func pullLink(ctx context.Context, g *globals, r *resolver.Resolver, ref, name string) error {
	l, err := r.ResolveLink(ctx, ref, name)
	if err != nil {
		return err
	}
	if g.json {
		return g.printJSON(linkedDoc{newResultDoc(&l.Result), l.Link, l.Switched})
	}
	_, err = fmt.Fprintln(g.stdout, l.Path)
	return err
}

func newLink(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "link NAME",
		Short: "Check a stable path for the gateway's supervisor_bin and print its config",
		Long: "A link is a stable path in the cache, <cache>/links/NAME, for the gateway's\n" +
			"supervisor_bin: \"supctl pull REF --compat RANGE --link NAME\" switches it,\n" +
			"atomically, to the binary it selected, and only when that binary is in range.\n" +
			"The gateway resolves the path when it starts, so refresh the link before it\n" +
			"starts; sandboxes keep the binary they were created with. gc keeps what the\n" +
			"link names and what it named before.\n\n" +
			"link checks the link NAME (a symbolic link into the cache's entries whose\n" +
			"binary passes a full check) and prints the gateway's [openshell.drivers.docker]\n" +
			"table with supervisor_bin set to it; --format path prints the path alone.",
		Args: exactArgs(1, "one link name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pickFormat(g, cmd, &format, "toml", "path", "json"); err != nil {
				return err
			}
			if err := cache.ValidLinkName(args[0]); err != nil {
				return usageErr(err)
			}
			c, err := g.openExistingCache()
			if errors.Is(err, fs.ErrNotExist) {
				return &exitError{code: exitNotFound, err: fmt.Errorf("no link %s: %w; create it with \"supctl pull REF --compat RANGE --link %s\"", args[0], err, args[0])}
			}
			if err != nil {
				return err
			}
			l := c.CheckLink(cmd.Context(), args[0])
			switch {
			case errors.Is(l.Err, cache.ErrDamaged):
				return &docError{&exitError{code: exitCorrupt, err: fmt.Errorf("%w; switch it to a sound binary with \"supctl pull REF --compat RANGE --link %s\"", l.Err, l.Name)}, l}
			case l.Err != nil && cmd.Context().Err() == nil:
				return &exitError{code: exitNotFound, err: fmt.Errorf("%w; create it with \"supctl pull REF --compat RANGE --link %s\"", l.Err, l.Name)}
			case l.Err != nil:
				return l.Err
			}
			switch format {
			case "json":
				return g.printJSON(l)
			case "path":
				_, err = fmt.Fprintln(g.stdout, l.Path)
				return err
			}
			return resolver.WriteLinkConfig(g.stdout, l)
		},
	}
	cmd.Flags().StringVar(&format, "format", "toml", "output: toml (a gateway config table), path, or json")
	return document(cmd, []string{
		"supctl pull " + exampleRef + " --compat '>=0.0.47-0 <0.0.48-0' --link gateway",
		"supctl link gateway >> gateway.toml   # supervisor_bin = \".../links/gateway\"",
		"supctl link gateway --format path",
	}, exitOK, exitFailure, exitUsage, exitNotFound, exitCorrupt, exitInterrupted)
}

// onlyLinks reports whether every problem verify found is a link's, which
// --repair does not change.
func onlyLinks(problems []cache.Problem) bool {
	for _, p := range problems {
		if p.Kind != cache.ProblemLink {
			return false
		}
	}
	return len(problems) > 0
}
