package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/resolver"
)

func newPin(g *globals) *cobra.Command {
	var (
		rf        resolveFlags
		platforms []string
		format    string
	)
	cmd := &cobra.Command{
		Use:   "pin REF",
		Short: "Freeze REF to its immutable digest after checking every platform's binary",
		Long: "pin resolves REF to its immutable digest (the index digest for a multi-arch\n" +
			"image), checks that the binary of every platform is extractable, built for\n" +
			"that platform and in the --compat range, and records the pin so gc keeps it.",
		Args: exactArgs(1, "one image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.json {
				format = "json"
			}
			switch format {
			case "ref", "json", "toml":
			default:
				return usagef("--format %q: want ref, json or toml", format)
			}
			r, err := rf.resolver(g)
			if err != nil {
				return err
			}
			ctx, cancel := rf.context(cmd.Context())
			defer cancel()
			pin, err := r.Pin(ctx, args[0], platforms...)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return g.printJSON(pin)
			case "toml":
				_, err = fmt.Fprintf(g.stdout, "[openshell.drivers.docker]\nsupervisor_image = %s\n", strconv.Quote(pin.Image))
			default:
				_, err = fmt.Fprintln(g.stdout, pin.Image)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&platforms, "platform", nil, "platform to check, OS/ARCH[/VARIANT] (repeatable; default "+fmt.Sprint(resolver.DefaultPinPlatforms)+")")
	f.StringVar(&format, "format", "ref", "output: ref (repo@sha256:...), json, or toml (a gateway config table)")
	rf.register(f, false)
	return cmd
}
