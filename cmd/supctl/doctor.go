package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/doctor"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/gateway"
	"github.com/openshell-contrib/supctl/resolver"
)

func newDoctor(g *globals) *cobra.Command {
	var platform, rng, eng, gwConfig, gwBin string
	var noGateway bool
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "doctor [REF]",
		Short: "Examine the engine, the cache and the supervisor selected for REF",
		Long: "doctor shows the container engine (its endpoint and how it was chosen, where\n" +
			"/var/run/docker.sock leads, its product, version and platform), this host's\n" +
			"platform and emulators, the cache's health, and for REF (or every recorded ref)\n" +
			"the supervisor the cache would select, its version, the age of its last check\n" +
			"and the verdict under --compat. It contacts no registry and changes nothing.\n" +
			"Each problem comes with its fix. Exit status: 0 no problem; 3 a supervisor\n" +
			"incompatible or of unknown version under --compat; 6 cache corruption; 4 REF\n" +
			"not cached; 1 any other problem (such as an engine that does not answer).",
		Example: "  supctl doctor\n  supctl doctor ghcr.io/nvidia/openshell/supervisor:dev --compat \">=0.0.47-0 <0.1.0\"",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one REF; see \"%s --help\"", cmd.CommandPath(), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := engine.ParseKind(eng)
			if err != nil {
				return usagef("--engine %q: want auto, docker, podman or none", eng)
			}
			opts := []doctor.Option{doctor.WithEngine(kind), doctor.WithMaxAge(maxAge), doctor.WithRefs(args...),
				doctor.WithGateway(gateway.Options{Config: gwConfig, Binary: gwBin})}
			if noGateway {
				opts = append(opts, doctor.WithoutGateway())
			}
			if platform != "" {
				if _, err := resolver.ParsePlatform(platform); err != nil {
					return usagef("--platform: %v", err)
				}
				opts = append(opts, doctor.WithPlatform(platform))
			}
			if rng != "" {
				r, err := compat.Parse(rng)
				if err != nil {
					return usagef("--compat: %v", err)
				}
				opts = append(opts, doctor.WithRange(r))
			}
			dir, err := g.cacheDirectory() // SUPCTL_CACHE_DIR too, as every command
			if err != nil {
				dir = g.cacheDir // doctor reports why there is none
			}
			rep, err := doctor.Check(cmd.Context(), dir, opts...)
			if err != nil {
				return err
			}
			out := doctorOutput(rep)
			if g.json {
				err = g.printJSON(out)
			} else {
				_, err = fmt.Fprint(g.stdout, formatDoctor(out))
			}
			if err != nil || rep.OK() {
				return err
			}
			n := 0
			for _, p := range rep.Problems {
				if p.Severity == doctor.SeverityProblem {
					n++
				}
			}
			return &exitError{code: out.exitCode(), err: fmt.Errorf("doctor found %d %s; see the fixes above", n, plural(n, "problem", "problems"))}
		},
	}
	f := cmd.Flags()
	f.StringVar(&platform, "platform", "", "target platform OS/ARCH[/VARIANT] (default linux/<this machine's architecture>)")
	f.StringVar(&rng, "compat", "", "required version range, e.g. \">=0.0.47-0 <0.1.0\"")
	f.StringVar(&eng, "engine", "auto", "container engine to examine: auto, docker, podman or none")
	f.DurationVar(&maxAge, "max-age", resolver.DefaultMaxAge, "how long a floating tag's last check stays fresh")
	f.StringVar(&gwConfig, "gateway-config", "", "the OpenShell gateway's --config, if its service passes one")
	f.StringVar(&gwBin, "gateway-bin", "", "the OpenShell gateway's program (default: openshell-gateway on PATH)")
	f.BoolVar(&noGateway, "no-gateway", false, "leave the OpenShell gateway out")
	return cmd
}

// formatDoctor is the plain report.
func formatDoctor(r *doctorReport) string {
	var b strings.Builder
	ems := "none"
	if len(r.Host.Emulators) > 0 {
		var names []string
		for _, e := range r.Host.Emulators {
			s := e.Name
			if !e.Enabled {
				s += " (disabled)"
			}
			names = append(names, s)
		}
		ems = strings.Join(names, ", ")
	}
	fmt.Fprintf(&b, "host:   %s, supervisors for %s; emulators: %s\n", r.Host.Platform, r.Host.Target, ems)
	e := r.Engine
	switch {
	case e.Info != nil:
		fmt.Fprintf(&b, "engine: %s %s, %s, API %s\n", e.Info.Product, e.Info.Version, e.Info.Platform(), e.Info.APIVersion)
		fmt.Fprintf(&b, "        at %s\n", e.Endpoint)
	case e.Endpoint != nil:
		fmt.Fprintf(&b, "engine: none answering at %s\n", e.Endpoint)
	default:
		fmt.Fprintf(&b, "engine: none (%s)\n", e.Kind)
	}
	if s := e.DockerSocket; s.Exists && (e.Endpoint == nil || e.Endpoint.Socket != s.Path) {
		if s.Target != "" {
			fmt.Fprintf(&b, "        %s leads to %s\n", s.Path, s.Target)
		}
	}
	c := r.Cache
	switch {
	case c.Dir == "":
	case !c.Exists:
		fmt.Fprintf(&b, "cache:  %s (not created yet)\n", c.Dir)
	default:
		fmt.Fprintf(&b, "cache:  %s (owner uid %d, mode %s): %d %s, %d %s, %d %s, %d %s\n", c.Dir, c.Owner, c.Mode,
			c.Entries, plural(c.Entries, "entry", "entries"), c.Records, plural(c.Records, "record", "records"),
			len(c.Verify), plural(len(c.Verify), "problem", "problems"), len(c.Leftovers), plural(len(c.Leftovers), "leftover", "leftovers"))
	}
	formatGateway(&b, r.Gateway)
	for _, ref := range r.Refs {
		fmt.Fprintf(&b, "ref:    %s (%s): %s", ref.Ref, ref.Platform, ref.Verdict)
		if ref.Range != "" {
			fmt.Fprintf(&b, " under %q", ref.Range)
		}
		b.WriteByte('\n')
		if ref.Digest != "" {
			v := ref.Version
			if v == "" {
				v = "unknown version"
			}
			fmt.Fprintf(&b, "        %s, %s (%s)\n", ref.Digest, v, ref.VersionSource)
		}
		if ref.Age != "" {
			stale := ""
			if ref.Stale {
				stale = "; stale, the next pull checks the tag"
			}
			fmt.Fprintf(&b, "        checked %s ago%s\n", ref.Age, stale)
		}
	}
	for _, l := range r.Links {
		switch {
		case l.Err != nil:
			fmt.Fprintf(&b, "link:   %s: damaged\n", l.Name)
		default:
			fmt.Fprintf(&b, "link:   %s: %s (%s) from %s\n", l.Name, orUnknown(l.Version), l.Platform, l.Ref)
		}
		fmt.Fprintf(&b, "        %s\n", l.Path)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "%s: %s\n  fix: %s\n", p.Severity, p.Message, p.Fix)
	}
	if r.OK() {
		b.WriteString("ok: no problems found\n")
	}
	return b.String()
}
