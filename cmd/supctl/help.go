package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// exitMeanings are the exit codes of the CLI contract.
var exitMeanings = map[int]string{
	exitOK:           "success",
	exitFailure:      "any other failure (a refused image, a cache write error, ...)",
	exitUsage:        "usage error: unknown command or flag, bad flag value or reference",
	exitIncompatible: "the binary's version is outside --compat, or unknown under it",
	exitNotFound:     "not found: repository, tag, platform, or the binary in the image",
	exitUnreachable:  "registry unreachable and no usable cached copy (or not cached with --pull never)",
	exitCorrupt:      "cache corruption found",
	exitInterrupted:  "interrupted (Ctrl-C, SIGTERM)",
}

// document adds examples (if any: else cmd's own stay) and the exit codes
// cmd can return to its help.
func document(cmd *cobra.Command, examples []string, codes ...int) *cobra.Command {
	if len(examples) > 0 {
		cmd.Example = "  " + strings.Join(examples, "\n  ")
	}
	var b strings.Builder
	b.WriteString(cmd.Long)
	b.WriteString("\n\nExit codes:")
	for _, c := range codes {
		fmt.Fprintf(&b, "\n  %-3d  %s", c, exitMeanings[c])
	}
	cmd.Long = b.String()
	return cmd
}

// The reference the examples use.
const exampleRef = "ghcr.io/nvidia/openshell/supervisor:dev"

// newHelp is "supctl help [COMMAND]": cobra's, except that an unknown
// topic is a usage error rather than the root's help and exit 0.
func newHelp(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 && cmd == root {
				return usagef("no help topic %q; see \"supctl --help\"", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag() // as "supctl CMD --help" would
			return cmd.Help()
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range root.Commands() {
				if !c.Hidden && c.Name() != "help" {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}
