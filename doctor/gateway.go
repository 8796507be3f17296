package doctor

import (
	"context"
	"fmt"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/gateway"
	"github.com/openshell-contrib/supctl/remedy"
	"github.com/openshell-contrib/supctl/supervisor"
)

// Gateway is the OpenShell gateway as package [gateway] read it, with the
// versions of its supervisors and the verdict.
type Gateway struct {
	// Found is false when nothing of a gateway is here (no program, no
	// config or env file, no extraction): the rest is then not judged.
	Found bool `json:"found"`
	*gateway.Gateway
	// Range is the range supervisors are judged by: --compat, else derived
	// from the gateway's version (RangeDerived).
	Range        string `json:"range,omitempty"`
	RangeDerived bool   `json:"range_derived"`
	// Extractions are the gateway's extractions with their versions.
	Extractions []Extraction `json:"extractions"`
	// Supervisor is the verdict on the binary the gateway will mount.
	Supervisor *Supervisor `json:"supervisor,omitempty"`
	// Protocol is the protocol heuristic's finding about that binary.
	Protocol *gateway.Protocol `json:"protocol_heuristic,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// Extraction is one of the gateway's extractions and its version.
type Extraction struct {
	gateway.Extraction
	Version       string `json:"version"`
	VersionSource string `json:"version_source"`
	Age           string `json:"age"`
	Mounted       bool   `json:"mounted"` // the one the gateway would mount now
	Verdict       string `json:"verdict"`
}

// Supervisor is the binary the gateway will mount and its verdict.
type Supervisor struct {
	Path          string `json:"path,omitempty"`
	Configured    string `json:"configured,omitempty"` // supervisor_bin as written, when it is a link
	Tier          string `json:"tier"`
	Source        string `json:"source"`
	Image         string `json:"image,omitempty"`
	Version       string `json:"version,omitempty"`
	VersionSource string `json:"version_source,omitempty"`
	Range         string `json:"range,omitempty"`
	// Verdict is one of the verdicts of a [Ref]; "not-cached" when which
	// binary is not known yet.
	Verdict string `json:"verdict"`
	Note    string `json:"note,omitempty"`
}

// WithGateway sets how the gateway is read (default: the zero
// [gateway.Options], the gateway of this user).
func WithGateway(o gateway.Options) Option {
	return func(c *config) error { c.gateway = o; return nil }
}

// WithoutGateway leaves the gateway out.
func WithoutGateway() Option {
	return func(c *config) error { c.noGateway = true; return nil }
}

// checkGateway reads the gateway and judges it.
func (r *Report) checkGateway(ctx context.Context, cfg config) error {
	g, err := gateway.Read(ctx, cfg.gateway)
	if err != nil {
		return err
	}
	rg := &Gateway{Gateway: g, Extractions: []Extraction{}}
	r.Gateway = rg
	// A config or env file that is there but cannot be read, or that is
	// named and missing, is found too: the gateway would not start.
	rg.Found = g.Binary.Path != "" || g.Config.Exists || g.EnvFile.Exists || len(g.Extractions) > 0 ||
		g.Config.Error != "" || g.EnvFile.Error != ""
	if !rg.Found {
		return nil
	}
	r.gatewayFiles(g)
	rng := cfg.rng
	if rng == nil && g.Binary.Version != "" {
		if d, err := gateway.DerivedRange(g.Binary.Version); err == nil {
			rng, rg.RangeDerived = d, true
		}
	}
	if rng != nil {
		rg.Range = rng.String()
	}
	if g.Binary.Error != "" {
		r.addRemedy("gateway", SeverityWarning, KindGateway, "the gateway's version is not known: "+g.Binary.Error,
			Remedy{Action: remedy.GatewayProgram})
	}
	probers := supervisor.StandardProbers(nil)
	if cfg.kind != engine.None {
		runner := engine.NewRunner(append([]engine.Option{engine.WithKind(cfg.kind)}, cfg.engine...)...)
		defer runner.Close()
		probers = supervisor.StandardProbers(runner)
	}
	pl, _ := platformOf(cfg.platform)
	versions := map[string]supervisor.Version{}
	learn := func(p string) supervisor.Version {
		if v, ok := versions[p]; ok {
			return v
		}
		v, _, err := supervisor.DetectTried(ctx, supervisor.Binary{Path: p, Platform: pl}, probers...)
		if err != nil {
			v = supervisor.Version{Method: supervisor.MethodUnknown}
		}
		versions[p] = v
		return v
	}
	m := g.Mount
	for _, e := range g.Extractions {
		v := learn(e.Path)
		x := Extraction{Extraction: e, Version: v.Version, VersionSource: string(v.Method),
			Age: cfg.now().Sub(e.ModTime).Round(time.Second).String(), Verdict: verdict(v.Version, rng)}
		x.Mounted = m != nil && m.Path == e.Path
		rg.Extractions = append(rg.Extractions, x)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if m == nil {
		return nil
	}
	if m.Error != "" {
		r.add("gateway", SeverityProblem, KindGateway, m.Error, "point supervisor_bin in "+g.Config.Path+" at an existing Linux binary, or remove it")
		return nil
	}
	s := &Supervisor{Path: m.Path, Tier: m.Tier, Configured: m.Configured, Source: m.Source, Image: m.Image, Range: rg.Range, Note: m.Note}
	rg.Supervisor = s
	if m.Driver == "podman" && m.Path == "" {
		s.Verdict = VerdictNotCached
		s.Note = fmt.Sprintf("the Podman driver mounts the image %s itself (pull policy %s); check that image with \"supctl pull %s\" and \"supctl doctor %s\"", m.Image, m.PullPolicy, m.Image, m.Image)
		return nil
	}
	if s.Configured == s.Path {
		s.Configured = ""
	}
	if m.Path != "" {
		v := learn(m.Path)
		s.Version, s.VersionSource, s.Verdict = v.Version, string(v.Method), verdict(v.Version, rng)
		r.judgeMounted(rg, s)
		r.protocol(ctx, rg, s)
	} else {
		s.Verdict = VerdictNotCached
	}
	// Extractions the gateway does not mount now: a stale one is a
	// problem when which one it mounts is not known, else a warning.
	for _, x := range rg.Extractions {
		if x.Mounted || (x.Verdict != VerdictIncompatible && x.Verdict != VerdictUnknown) {
			continue
		}
		sev, how := SeverityWarning, "not mounted now, but mounted again if "+orImage(m.Image)+" points back at image "+x.ImageID
		if m.Path == "" && m.Image != "" && m.Driver == "docker" && m.Lookup != gateway.LookupFound && m.Lookup != gateway.LookupNotLocal {
			sev, how = SeverityProblem, "the gateway may mount it: "+m.Note
		}
		r.addRemedy("gateway", sev, KindIncompatible, fmt.Sprintf("the gateway's extraction %s is %s, outside %s%s; %s",
			x.Path, versionWords(x.Version), rangeWords(rg), derivedWords(rg), how),
			Remedy{Action: remedy.CollectExtractions, Before: "remove it with ",
				After: fmt.Sprintf(" (dry run first), or point supervisor_bin in %s at a compatible binary", g.Config.Path)})
	}
	return nil
}

func orImage(img string) string {
	if img == "" {
		return "the image"
	}
	return img
}

// judgeMounted adds the verdict on the binary the gateway will mount.
func (r *Report) judgeMounted(rg *Gateway, s *Supervisor) {
	switch s.Verdict {
	case VerdictIncompatible, VerdictUnknown:
		r.addRemedy("gateway", SeverityProblem, KindIncompatible, fmt.Sprintf("the gateway (version %s) will mount %s (%s), which is %s, outside %s%s",
			orUnknown(rg.Binary.Version), s.Path, s.Source, versionWords(s.Version), rangeWords(rg), derivedWords(rg)),
			Remedy{Action: ActionReplaceMounted, Range: rg.Range, Config: rg.Config.Path})
	case VerdictNoRange:
		r.addRemedy("gateway", SeverityWarning, KindGateway, fmt.Sprintf("the gateway will mount %s (%s); with no range and no gateway version it is not judged", s.Path, versionWords(s.Version)),
			Remedy{Action: remedy.Range})
	}
}

// protocol runs the protocol heuristic where the gateway will mint
// sandbox JWTs.
func (r *Report) protocol(ctx context.Context, rg *Gateway, s *Supervisor) {
	if rg.JWT.State != gateway.JWTComplete && rg.JWT.State != gateway.JWTConfig {
		return
	}
	p := gateway.ScanProtocol(ctx, s.Path)
	rg.Protocol = &p
	if p.Error != "" || p.TokenFile {
		return
	}
	msg := fmt.Sprintf("heuristic: the gateway mints sandbox JWTs, but %s shows no sign of reading a token file (no %q in its bytes)", s.Path, gateway.TokenFileMarker)
	if p.OldSecret {
		msg += fmt.Sprintf(" and carries %q, the header of the supervisors before the JWT protocol", gateway.OldSecretMarker)
	}
	fix := "mount a supervisor of the gateway's release line (see the version verdict)"
	if s.Verdict == VerdictCompatible {
		fix = "none needed if its sandboxes start: its version fits, and this is a byte scan, a sign and not proof"
	}
	r.add("gateway", SeverityWarning, KindGateway, msg+"; a supervisor that does not read it fails with \"requires a sandbox principal\"", fix)
}

// gatewayFiles reports the files that do not parse and the driver and
// engine choice.
func (r *Report) gatewayFiles(g *gateway.Gateway) {
	for _, f := range []gateway.File{g.Config.File, g.EnvFile.File} {
		if f.Syntax != nil {
			r.add("gateway", SeverityProblem, KindGateway, fmt.Sprintf("%s does not parse at line %d: %s; the gateway will not start", f.Path, f.Syntax.Line, f.Syntax.Msg),
				fmt.Sprintf("fix line %d of %s", f.Syntax.Line, f.Path))
		}
		if f.Error != "" {
			r.add("gateway", SeverityProblem, KindGateway, f.Error, "fix or remove "+f.Path)
		}
	}
	if g.Driver.Error != "" {
		r.add("gateway", SeverityProblem, KindGateway, g.Driver.Error,
			fmt.Sprintf("set one driver: OPENSHELL_DRIVERS=docker in %s, or compute_drivers = [\"docker\"] under [openshell.gateway] in %s", g.EnvFile.Path, g.Config.Path))
	}
	e := g.Engine
	if e.Socket != "" && e.Answer != g.Driver.Name {
		r.add("gateway", SeverityProblem, KindGateway, fmt.Sprintf("the gateway's %s driver would use %s (%s), where %s", g.Driver.Name, e.Socket, e.Source, answerWords(e.Answer)),
			fmt.Sprintf("start the engine there, or set socket_path under [openshell.drivers.%s] in %s", g.Driver.Name, g.Config.Path))
	}
	if e.Differ && e.Supctl != nil {
		r.add("gateway", SeverityWarning, KindGateway, fmt.Sprintf("the gateway talks to the engine at %s (%s, it ignores Docker contexts) but supctl talks to %s: images supctl pulls or checks there are not the gateway's",
			e.Socket, e.Source, e.Supctl),
			fmt.Sprintf("run supctl with DOCKER_HOST=unix://%s, or point the gateway at supctl's engine (DOCKER_HOST in %s)", e.Socket, g.EnvFile.Path))
	}
	j := g.JWT
	fix := fmt.Sprintf("run \"openshell-gateway generate-certs --output-dir %s\"", j.Dir)
	if len(j.Copies) > 0 {
		fix = fmt.Sprintf("copy %s/jwt/ to %s/jwt/ (or set OPENSHELL_LOCAL_TLS_DIR=%s in %s), or %s", j.Copies[0], j.Dir, j.Copies[0], g.EnvFile.Path, fix)
	}
	switch j.State {
	case gateway.JWTPartial:
		r.add("gateway", SeverityProblem, KindGateway, fmt.Sprintf("the gateway's sandbox JWT material in %s (%s) is partial: %s missing; the gateway refuses to start",
			j.Dir, j.DirSource, strings.Join(j.Missing, ", ")), fix)
	case gateway.JWTNone:
		r.add("gateway", SeverityProblem, KindGateway, fmt.Sprintf("the gateway has no sandbox JWT material in %s (%s): it mints no sandbox JWTs, and sandboxes fail with \"requires a sandbox principal\"",
			j.Dir, j.DirSource), fix)
	}
}

func answerWords(a string) string {
	switch a {
	case gateway.AnswerNoSocket:
		return "there is no socket"
	case gateway.AnswerNone:
		return "nothing answers"
	case gateway.AnswerDocker, gateway.AnswerPodman:
		return a + " answers"
	}
	return "something that is not a container engine answers"
}

func verdict(v string, rng *compat.Range) string {
	switch {
	case v == "":
		if rng == nil {
			return VerdictNoRange
		}
		return VerdictUnknown
	case rng == nil:
		return VerdictNoRange
	}
	if ok, err := rng.Contains(v); err != nil {
		return VerdictUnknown
	} else if ok {
		return VerdictCompatible
	}
	return VerdictIncompatible
}

func versionWords(v string) string {
	if v == "" {
		return "of unknown version"
	}
	return "version " + v
}

func rangeWords(rg *Gateway) string { return fmt.Sprintf("%q", rg.Range) }

func derivedWords(rg *Gateway) string {
	if rg.RangeDerived {
		return fmt.Sprintf(" (derived from the gateway's version %s: its release line)", rg.Binary.Version)
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func platformOf(s string) (v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err != nil {
		return v1.Platform{}, err
	}
	return *p, nil
}
