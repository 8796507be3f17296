package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/resolver"
)

// resolveFlags are the flags of the commands that resolve images.
type resolveFlags struct {
	platform, policy, rng, file string
	engine, source              string
	maxAge, timeout             time.Duration
	mirrors                     []string
	// inPlace is set by inspect for a target that may be a file: the
	// cache is then never created (see inspectCache); done releases it.
	inPlace bool
	done    func()
}

// timeoutGrace is how long past --timeout the command's context lasts: the
// resolver's own bound fires first and says what timed out; the context's
// deadline is the backstop.
const timeoutGrace = 5 * time.Second

// context returns ctx bounded by --timeout (plus timeoutGrace).
func (rf *resolveFlags) context(ctx context.Context) (context.Context, context.CancelFunc) {
	if rf.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, rf.timeout+timeoutGrace)
}

// register adds the flags to fs; withPlatform is false for commands that
// take several platforms their own way.
func (rf *resolveFlags) register(fs *pflag.FlagSet, withPlatform bool) {
	if withPlatform {
		fs.StringVar(&rf.platform, "platform", "", "target platform OS/ARCH[/VARIANT] (default linux/<this machine's architecture>)")
	}
	fs.StringVar(&rf.policy, "pull", "if-stale", "when to contact the registry: always, if-stale or never")
	durationVar(fs, &rf.maxAge, "max-age", resolver.DefaultMaxAge, "how long a floating tag's last check stays fresh (e.g. 15m, 12h, 1d, 1w)")
	fs.StringVar(&rf.rng, "compat", "", "required version range, e.g. \">=0.0.47-0 <0.1.0\"")
	durationVar(fs, &rf.timeout, "timeout", resolver.DefaultTimeout, "bound on the whole operation (requests, retries, extraction); 0 for none")
	fs.StringArrayVar(&rf.mirrors, "mirror", nil, "REGISTRY=MIRROR: try MIRROR before REGISTRY (repeatable)")
	fs.StringVar(&rf.file, "file", "", "the binary's path inside the image (default /openshell-sandbox)")
	fs.StringVar(&rf.engine, "engine", "auto", "container engine that learns the version of a binary this host cannot run: auto, docker, podman or none")
}

// registerSource adds --source, for the commands that may take a local
// image of the engine (not pin, which always asks the registry).
func (rf *resolveFlags) registerSource(fs *pflag.FlagSet) {
	fs.StringVar(&rf.source, "source", string(resolver.SourceRegistry), "where images come from: registry, engine (the engine's local images) or auto (the engine's image when it has it, else the registry)")
}

// resolver opens the cache and builds a resolver from the flags.
func (rf *resolveFlags) resolver(g *globals) (*resolver.Resolver, error) {
	log := g.log
	opts := []resolver.Option{resolver.WithLogger(log), resolver.WithInsecure(g.insecure), resolver.WithMaxAge(rf.maxAge), resolver.WithTimeout(rf.timeout)}
	if g.showProgress() {
		bar := &downloadBar{w: g.stderr}
		opts = append(opts, resolver.WithProgress(bar.report))
	}
	if rf.platform != "" {
		if strings.Contains(rf.platform, ",") {
			return nil, usagef("--platform %q: this command takes one platform; \"supctl pin\" checks several", rf.platform)
		}
		if _, err := resolver.ParsePlatform(rf.platform); err != nil {
			return nil, usageErr(err)
		}
		opts = append(opts, resolver.WithPlatform(rf.platform))
	}
	if rf.file != "" {
		opts = append(opts, resolver.WithFile(rf.file))
	}
	kind, err := engine.ParseKind(rf.engine)
	if err != nil {
		return nil, usagef("--engine %q: want auto, docker, podman or none", rf.engine)
	}
	opts = append(opts, resolver.WithEngine(kind))
	if rf.source != "" {
		src, err := resolver.ParseImageSource(rf.source)
		if err != nil {
			return nil, usagef("--source %q: want registry, engine or auto", rf.source)
		}
		opts = append(opts, resolver.WithImageSource(src, engine.WithKind(kind)))
	}
	pp, err := resolver.ParsePullPolicy(rf.policy)
	if err != nil {
		return nil, usagef("--pull: %v", err)
	}
	opts = append(opts, resolver.WithPullPolicy(pp))
	if rf.rng != "" {
		r, err := compat.Parse(rf.rng)
		if err != nil {
			return nil, usageErr(flagError("--compat", err))
		}
		opts = append(opts, resolver.WithRange(r))
	}
	for _, m := range rf.mirrors {
		reg, mir, ok := strings.Cut(m, "=")
		if !ok {
			return nil, usagef("--mirror %q: want REGISTRY=MIRROR, e.g. ghcr.io=mirror.internal:5000", m)
		}
		opts = append(opts, resolver.WithMirror(reg, mir))
	}
	var c *cache.Cache
	if rf.inPlace {
		var done func()
		c, done, err = g.inspectCache()
		if err == nil {
			rf.close()
			rf.done = done
		}
	} else {
		c, err = g.openCache()
	}
	if err != nil {
		return nil, err
	}
	r, err := resolver.New(c, opts...)
	if err != nil {
		// An option's own error, without New's "resolver: " prefix.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return nil, usageErr(err)
	}
	log.Debug("options", "cache_dir", c.Dir(), "platform", rf.platform, "pull", pp.String(), "max_age", rf.maxAge.String(),
		"compat", rf.rng, "engine", rf.engine, "mirrors", rf.mirrors, "insecure", g.insecure)
	return r, nil
}

// close releases what the last resolver held.
func (rf *resolveFlags) close() {
	if rf.done != nil {
		rf.done()
		rf.done = nil
	}
}

// splitPlatforms splits comma-separated platforms (the buildx habit:
// --platform linux/amd64,linux/arm64) and checks each.
func splitPlatforms(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if _, err := resolver.ParsePlatform(p); err != nil {
				return nil, usageErr(err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// flagError phrases err, a parse error of a flag's value, as the flag's:
// `--compat ">=0.x": "0.x" at offset 2 is not a semantic version`, not
// `--compat: compat: bad range ...`. It wraps err.
func flagError(flag string, err error) error {
	var pe *compat.ParseError
	if errors.As(err, &pe) {
		msg := fmt.Sprintf("%s %q: %s", flag, pe.Input, pe.Msg)
		if pe.Token != "" {
			msg = fmt.Sprintf("%s %q: %q at offset %d %s", flag, pe.Input, pe.Token, pe.Offset, pe.Msg)
		}
		return &phrased{msg, err}
	}
	return fmt.Errorf("%s: %w", flag, err)
}

// phrased is an error with its message in the user's terms.
type phrased struct {
	msg string
	err error
}

func (e *phrased) Error() string { return e.msg }
func (e *phrased) Unwrap() error { return e.err }

// pickFormat settles a command's --format: --json means "json" (and
// contradicts any other format given), and the format must be one of
// allowed, the first of which is the default.
func pickFormat(g *globals, cmd *cobra.Command, format *string, allowed ...string) error {
	if g.json {
		if cmd.Flags().Changed("format") && *format != "json" {
			return usagef("--json and --format %s ask for two outputs; give one", *format)
		}
		*format = "json"
	}
	if !slices.Contains(allowed, *format) {
		return usagef("--format %q: want %s or %s", *format, strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
	}
	return nil
}
