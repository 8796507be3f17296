package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

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
	fs.DurationVar(&rf.maxAge, "max-age", resolver.DefaultMaxAge, "how long a floating tag's last check stays fresh")
	fs.StringVar(&rf.rng, "compat", "", "required version range, e.g. \">=0.0.47-0 <0.1.0\"")
	fs.DurationVar(&rf.timeout, "timeout", resolver.DefaultTimeout, "bound on the whole operation (requests, retries, extraction); 0 for none")
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
	log, err := g.logger()
	if err != nil {
		return nil, err
	}
	opts := []resolver.Option{resolver.WithLogger(log), resolver.WithInsecure(g.insecure), resolver.WithMaxAge(rf.maxAge), resolver.WithTimeout(rf.timeout)}
	if rf.platform != "" {
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
			return nil, usagef("--compat: %v", err)
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
	c, err := g.openCache()
	if err != nil {
		return nil, err
	}
	r, err := resolver.New(c, opts...)
	if err != nil {
		return nil, usageErr(err)
	}
	return r, nil
}
