package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	log            *slog.Logger // from --log-level and --log-format
	printed        bool         // a JSON document is on stdout
}

// run builds the command tree, runs it and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := advise(root.ExecuteContext(ctx))
	if err != nil && ctx.Err() != nil {
		err = &exitError{code: exitInterrupted, err: errInterrupted}
	}
	code := exitCode(err)
	if err != nil {
		if g.log == nil {
			// The flags failed to parse: take --json and --log-format
			// from the arguments as written, if they are there.
			g.json, g.logFormat = scanOutputFlags(args, g.json, g.logFormat)
		}
		g.fail(err, code)
	}
	return code
}

// scanOutputFlags finds --json and --log-format json in args that did not
// parse, so even a usage error is reported in the form asked for.
func scanOutputFlags(args []string, json bool, format string) (bool, string) {
	for i, a := range args {
		switch {
		case a == "--":
			return json, format
		case a == "--json" || a == "--json=true":
			json = true
		case a == "--log-format=json" || a == "--log-format" && i+1 < len(args) && args[i+1] == "json":
			format = "json"
		}
	}
	return json, format
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "supctl",
		Short: "Fetch, pin and check the openshell-sandbox supervisor binary",
		Long: "supctl turns a supervisor image reference into a verified, version-checked\n" +
			"openshell-sandbox binary in a local cache.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       currentVersion().String(),
		// Args and RunE make an unknown command a usage error (cobra's own
		// check returns a plain error) and a bare "supctl" print help.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.logger()
			if err != nil {
				return err
			}
			g.log = log
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.cacheDir, "cache-dir", "", "cache directory (env SUPCTL_CACHE_DIR; default $XDG_DATA_HOME/openshell/docker-supervisor)")
	pf.BoolVar(&g.json, "json", false, "print exactly one JSON document on stdout")
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVar(&g.insecure, "insecure", false, "allow plain HTTP to any registry (loopback registries always may)")
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().Bool("version", false, "print supctl's version, commit and Go version")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(newPull(g), newPin(g), newInspect(g), newVersion(g), newGC(g), newLs(g), newVerify(g), newLink(g),
		document(newDoctor(g), nil, exitOK, exitFailure, exitUsage, exitIncompatible, exitNotFound, exitCorrupt, exitInterrupted), newJSONTopic())
	root.SetHelpCommand(newHelp(root))
	document(root, []string{
		"supctl pull " + exampleRef,
		"supctl pin " + exampleRef + " --format toml",
		"supctl ls",
		"supctl gc --max-unused 30d",
		"source <(supctl completion bash)",
	}, exitOK, exitFailure, exitUsage, exitIncompatible, exitNotFound, exitUnreachable, exitCorrupt, exitInterrupted)
	setCompletion(root)
	return root
}

// unknownCommand refuses any argument of the root command: it is a
// subcommand supctl does not have.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return usagef("%s; see \"supctl --help\"", msg)
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

// openCache opens the cache the flags name, creating it if needed.
func (g *globals) openCache() (*cache.Cache, error) {
	dir, err := g.cacheDirectory()
	if err != nil {
		return nil, err
	}
	return cache.Open(dir)
}

// openExistingCache opens the cache the flags name if it exists; a cache
// never created gives an error matching fs.ErrNotExist, and is not created
// (ls, gc and verify of a fresh machine leave nothing behind).
func (g *globals) openExistingCache() (*cache.Cache, error) {
	dir, err := g.cacheDirectory()
	if err != nil {
		return nil, err
	}
	return cache.OpenExisting(dir)
}

// cacheDirectory is the cache directory the flags, the environment or the
// default name, as [cache.ResolveDir] resolves it; one it refuses is a
// usage error.
func (g *globals) cacheDirectory() (string, error) {
	dir, err := cache.ResolveDir(g.cacheDir)
	if errors.Is(err, cache.ErrBadDir) {
		return "", usageErr(err)
	}
	return dir, err
}

// oneLine folds an error message onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
