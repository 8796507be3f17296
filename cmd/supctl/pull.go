package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newPull(g *globals) *cobra.Command {
	var rf resolveFlags
	cmd := &cobra.Command{
		Use:   "pull REF",
		Short: "Resolve REF to a verified supervisor binary and print its path",
		Long: "pull resolves an image reference to the openshell-sandbox binary for one\n" +
			"platform, extracting it into the cache when needed, and prints its path.",
		Args: exactArgs(1, "one image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.resolver(g)
			if err != nil {
				return err
			}
			ctx, cancel := rf.context(cmd.Context())
			defer cancel()
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
	return cmd
}
