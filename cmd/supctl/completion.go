package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/openshell-contrib/supctl/resolver"
)

// flagChoices are the values shell completion offers for a flag's value.
var flagChoices = map[string][]string{
	"pull":       {resolver.PullAlways.String(), resolver.PullIfStale.String(), resolver.PullNever.String()},
	"format":     {"ref", "json", "toml"},
	"log-level":  {"debug", "info", "warn", "error"},
	"log-format": {"text", "json"},
	"platform":   {"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64"},
	"engine":     {"docker", "podman"},
}

// fileFlags are the flags whose value completes to a path.
var fileFlags = map[string]cobra.ShellCompDirective{
	"cache-dir": cobra.ShellCompDirectiveFilterDirs,
}

// setCompletion makes every flag value and argument of root's tree complete
// to its choices, or to nothing: references, ranges and durations are not
// file names. Only inspect's argument (a file or a reference) and
// --cache-dir complete paths.
func setCompletion(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		if cmd.ValidArgsFunction == nil && cmd.Name() != "inspect" && !strings.HasPrefix(cmd.Name(), "__") {
			cmd.ValidArgsFunction = noFiles
		}
		set := func(f *pflag.Flag) {
			if _, ok := cmd.GetFlagCompletionFunc(f.Name); ok {
				return
			}
			_ = cmd.RegisterFlagCompletionFunc(f.Name, completeFlag(f.Name))
		}
		cmd.LocalNonPersistentFlags().VisitAll(set)
		cmd.PersistentFlags().VisitAll(set)
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	walk(root)
}

func completeFlag(name string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if d, ok := fileFlags[name]; ok {
			return nil, d
		}
		choices := flagChoices[name]
		if name == "platform" && cmd.Name() == "pin" {
			// pin takes a comma-separated list: complete its last element.
			if i := strings.LastIndex(toComplete, ","); i >= 0 {
				var out []cobra.Completion
				for _, c := range choices {
					out = append(out, toComplete[:i+1]+c)
				}
				return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			}
		}
		return choices, cobra.ShellCompDirectiveNoFileComp
	}
}

func noFiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}
