package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newPull(g *globals) *cobra.Command {
	var (
		rf   resolveFlags
		link string
	)
	cmd := &cobra.Command{
		Use:   "pull REF",
		Short: "Resolve REF to a verified supervisor binary and print its path",
		Long: "pull resolves an image reference to the openshell-sandbox binary for one\n" +
			"platform, extracting it into the cache when needed, and prints its path.\n" +
			"With --link NAME (and --compat), it then switches the cache's link NAME to\n" +
			"that binary; a pull that fails or is refused leaves the link as it was.",
		Args: exactArgs(1, "one image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkLinkFlag(link, rf.rng); err != nil {
				return err
			}
			r, err := rf.resolver(g)
			if err != nil {
				return err
			}
			ctx, cancel := rf.context(cmd.Context())
			defer cancel()
			if link != "" {
				return pullLink(ctx, g, r, args[0], link)
			}
			res, err := r.Resolve(ctx, args[0])
			if err != nil {
				return err
			}
			if g.json {
				return g.printJSON(newResultDoc(res))
			}
			_, err = fmt.Fprintln(g.stdout, res.Path)
			return err
		},
	}
	rf.register(cmd.Flags(), true)
	rf.registerSource(cmd.Flags())
	cmd.Flags().StringVar(&link, "link", "", "after a pull under --compat, switch the cache's link `NAME` (a stable path for the gateway's supervisor_bin) to the binary; see \"supctl link --help\"")
	return document(cmd, []string{
		"supctl pull " + exampleRef,
		"supctl pull " + exampleRef + " --platform linux/arm64 --compat '>=0.0.47-0 <0.1.0'",
		"supctl pull " + exampleRef + " --pull never      # offline: only what is cached",
		"supctl pull " + exampleRef + " --max-age 1d      # trust a tag's last check for a day",
		"supctl pull " + exampleRef + " --json | jq -r .path",
		"supctl pull " + exampleRef + " --compat '>=0.0.47-0 <0.0.48-0' --link gateway",
	}, exitOK, exitFailure, exitUsage, exitIncompatible, exitNotFound, exitUnreachable, exitInterrupted)
}
