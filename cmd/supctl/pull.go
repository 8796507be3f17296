package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/resolver"
)

func newPull(g *globals) *cobra.Command {
	var (
		platform, policy, rng, file string
		maxAge                      time.Duration
		mirrors                     []string
	)
	cmd := &cobra.Command{
		Use:   "pull REF",
		Short: "Resolve REF to a verified supervisor binary and print its path",
		Long: "pull resolves an image reference to the openshell-sandbox binary for one\n" +
			"platform, extracting it into the cache when needed, and prints its path.",
		Args: exactArgs(1, "one image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := g.logger()
			if err != nil {
				return err
			}
			opts := []resolver.Option{resolver.WithLogger(log), resolver.WithInsecure(g.insecure), resolver.WithMaxAge(maxAge)}
			if platform != "" {
				opts = append(opts, resolver.WithPlatform(platform))
			}
			if file != "" {
				opts = append(opts, resolver.WithFile(file))
			}
			pp, err := resolver.ParsePullPolicy(policy)
			if err != nil {
				return usagef("--pull: %v", err)
			}
			opts = append(opts, resolver.WithPullPolicy(pp))
			if rng != "" {
				r, err := compat.Parse(rng)
				if err != nil {
					return usagef("--compat: %v", err)
				}
				opts = append(opts, resolver.WithRange(r))
			}
			for _, m := range mirrors {
				reg, mir, ok := strings.Cut(m, "=")
				if !ok {
					return usagef("--mirror %q: want REGISTRY=MIRROR, e.g. ghcr.io=mirror.internal:5000", m)
				}
				opts = append(opts, resolver.WithMirror(reg, mir))
			}
			c, err := g.openCache()
			if err != nil {
				return err
			}
			r, err := resolver.New(c, opts...)
			if err != nil {
				return usageErr(err)
			}
			res, err := r.Resolve(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if g.json {
				return g.printJSON(res)
			}
			_, err = fmt.Fprintln(g.stdout, res.Path)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&platform, "platform", "", "target platform OS/ARCH[/VARIANT] (default linux/<this machine's architecture>)")
	f.StringVar(&policy, "pull", "if-stale", "when to contact the registry: always, if-stale or never")
	f.DurationVar(&maxAge, "max-age", resolver.DefaultMaxAge, "how long a floating tag's last check stays fresh")
	f.StringVar(&rng, "compat", "", "required version range, e.g. \">=0.0.47-0 <0.1.0\"")
	f.StringArrayVar(&mirrors, "mirror", nil, "REGISTRY=MIRROR: try MIRROR before REGISTRY (repeatable)")
	f.StringVar(&file, "file", "", "the binary's path inside the image (default /openshell-sandbox)")
	return cmd
}
