package main

import (
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/doctor"
)

// formatGateway is the gateway part of the plain doctor report.
func formatGateway(b *strings.Builder, g *doctor.Gateway) {
	if g == nil {
		return
	}
	if !g.Found {
		b.WriteString("gateway: none found (no openshell-gateway on PATH, no gateway.toml, gateway.env or extraction)\n")
		return
	}
	v := g.Binary.Version
	if v == "" {
		v = "version unknown"
	}
	bin := g.Binary.Path
	if bin == "" {
		bin = "program not found"
	}
	pk := ""
	if g.Packaging != "" {
		pk = ", started by " + g.Packaging
	}
	fmt.Fprintf(b, "gateway: %s %s%s\n", bin, v, pk)
	c := g.Config
	state := "not there"
	if c.Exists {
		state = "read"
	}
	fmt.Fprintf(b, "  config:  %s (%s, %s)\n", c.Path, c.Source, state)
	e := g.EnvFile
	if e.Exists {
		var names []string
		for _, v := range e.Vars {
			names = append(names, v.Name)
		}
		if len(names) == 0 {
			names = []string{"nothing"}
		}
		fmt.Fprintf(b, "  env:     %s sets %s\n", e.Path, strings.Join(names, ", "))
	} else {
		fmt.Fprintf(b, "  env:     %s (not there)\n", e.Path)
	}
	d := g.Driver
	if d.Name != "" {
		how := "auto-detected"
		if d.Configured {
			how = "configured by " + d.Source
		}
		fmt.Fprintf(b, "  driver:  %s (%s)\n", d.Name, how)
	}
	for _, p := range d.Probes {
		mark := ""
		if p.Chosen {
			mark = " <- chosen"
		}
		fmt.Fprintf(b, "           %s: %s: %s%s\n", p.Driver, p.What, p.Answer, mark)
	}
	if g.Engine.Socket != "" {
		fmt.Fprintf(b, "  engine:  %s (%s): %s\n", g.Engine.Socket, g.Engine.Source, g.Engine.Answer)
		if g.Engine.Differ && g.Engine.Supctl != nil {
			fmt.Fprintf(b, "           supctl talks to %s instead\n", g.Engine.Supctl)
		}
	}
	if s := g.Supervisor; s != nil {
		what := s.Path
		if what == "" {
			what = s.Image
		}
		fmt.Fprintf(b, "  mounts:  %s\n           from %s\n", what, s.Source)
		if s.Configured != "" {
			fmt.Fprintf(b, "           (%s, a link, resolved when the gateway starts)\n", s.Configured)
		}
		if s.Version != "" || s.Verdict != "" {
			fmt.Fprintf(b, "           %s (%s): %s", orUnknownVersion(s.Version), s.VersionSource, s.Verdict)
			if s.Range != "" {
				fmt.Fprintf(b, " under %q", s.Range)
				if g.RangeDerived {
					b.WriteString(" (derived from the gateway's version)")
				}
			}
			b.WriteByte('\n')
		}
		if s.Note != "" {
			fmt.Fprintf(b, "           %s\n", s.Note)
		}
	}
	if p := g.Protocol; p != nil && p.Error == "" {
		fmt.Fprintf(b, "  protocol (heuristic): token file %s, x-sandbox-secret %s\n", yesNo(p.TokenFile), yesNo(p.OldSecret))
	}
	for _, x := range g.Extractions {
		m := ""
		if x.Mounted {
			m = ", mounted"
		}
		fmt.Fprintf(b, "  extracted: %s\n           %s (%s), %s old: %s%s\n", x.Path, orUnknownVersion(x.Version), x.VersionSource, x.Age, x.Verdict, m)
	}
	j := g.JWT
	fmt.Fprintf(b, "  jwt:     %s (%s): %s", j.Dir, j.DirSource, j.State)
	if len(j.Missing) > 0 && j.State != "none" {
		fmt.Fprintf(b, ", missing %s", strings.Join(j.Missing, ", "))
	}
	b.WriteByte('\n')
	for _, c := range j.Copies {
		fmt.Fprintf(b, "           a complete copy: %s\n", c)
	}
}

func orUnknownVersion(v string) string {
	if v == "" {
		return "unknown version"
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "found"
	}
	return "not found"
}
