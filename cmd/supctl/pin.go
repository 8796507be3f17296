package main

import (
	"fmt"
	"io"

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
			if err := pickFormat(g, cmd, &format, "ref", "json", "toml"); err != nil {
				return err
			}
			plats, err := splitPlatforms(platforms)
			if err != nil {
				return err
			}
			r, err := rf.resolver(g)
			if err != nil {
				return err
			}
			g.log.Debug("pin", "ref", args[0], "platforms", plats, "format", format)
			ctx, cancel := rf.context(cmd.Context())
			defer cancel()
			pin, err := r.Pin(ctx, args[0], plats...)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return g.printJSON(pin)
			case "toml":
				_, err = io.WriteString(g.stdout, pin.DriverConfig())
			default:
				_, err = fmt.Fprintln(g.stdout, pin.Image)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&platforms, "platform", nil, "platform to check, OS/ARCH[/VARIANT] (repeatable or comma-separated; default "+fmt.Sprint(resolver.DefaultPinPlatforms())+")")
	f.StringVar(&format, "format", "ref", "output: ref (repo@sha256:...), json, or toml (a gateway config table)")
	rf.register(f, false)
	return document(cmd, []string{
		"supctl pin " + exampleRef,
		"supctl pin " + exampleRef + " --platform linux/amd64,linux/arm64 --compat '>=0.0.47-0 <0.1.0'",
		"supctl pin " + exampleRef + " --format toml >> gateway.toml",
	}, exitOK, exitFailure, exitUsage, exitIncompatible, exitNotFound, exitUnreachable, exitInterrupted)
}
