package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/cache"
)

// globals are the flags every command has.
type globals struct {
	cacheDir  string
	json      bool
	logLevel  string
	logFormat string
	insecure  bool

	stdout, stderr io.Writer
}

// run builds the command tree, runs it and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := advise(root.ExecuteContext(ctx))
	if err != nil {
		fmt.Fprintf(stderr, "supctl: %v\n", oneLine(err))
	}
	return exitCode(err)
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "supctl",
		Short: "Fetch, pin and check the openshell-sandbox supervisor binary",
		Long: "supctl turns a supervisor image reference into a verified, version-checked\n" +
			"openshell-sandbox binary in a local cache.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.cacheDir, "cache-dir", os.Getenv("SUPCTL_CACHE_DIR"), "cache directory (env SUPCTL_CACHE_DIR; default $XDG_DATA_HOME/openshell/docker-supervisor)")
	pf.BoolVar(&g.json, "json", false, "print exactly one JSON document on stdout")
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVar(&g.insecure, "insecure", false, "allow plain HTTP to any registry (loopback registries always may)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(newPull(g), newPin(g), newInspect(g), newVersion(g), newGC(g), newLs(g), newVerify(g))
	return root
}

// exactArgs is cobra.ExactArgs with a usage exit code.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s; see \"%s --help\"", cmd.CommandPath(), what, cmd.CommandPath())
		}
		return nil
	}
}

// logger builds the stderr logger the flags ask for.
func (g *globals) logger() (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch g.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(g.stderr, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, o)), nil
	}
	return nil, usagef("--log-format %q: want text or json", g.logFormat)
}

// openCache opens the cache the flags name.
func (g *globals) openCache() (*cache.Cache, error) {
	dir := g.cacheDir
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return cache.Open(dir)
}

// printJSON writes v as the command's one JSON document.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// oneLine folds an error message onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
