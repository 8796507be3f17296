package doctor

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/gateway"
	"github.com/openshell-contrib/supctl/remedy"
	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

// Severity says whether a [Problem] fails the report.
type Severity string

// The severities.
const (
	SeverityProblem Severity = "problem"
	SeverityWarning Severity = "warning"
)

// Problem is one finding that needs action.
type Problem struct {
	Area     string   `json:"area"` // "engine", "gateway", "cache", "ref" or "link"
	Severity Severity `json:"severity"`
	// Kind is what is wrong, for a front end that acts on it (an exit
	// status, say); see the package documentation.
	Kind    Kind   `json:"kind"`
	Message string `json:"message"`
	// Fix says what to do, in words.
	Fix string `json:"fix"`
	// Remedy is the fix as one action and its parameters, when it is one,
	// for a front end that words the action as its own command.
	Remedy *Remedy `json:"remedy,omitempty"`
	// MessageRemedy is the remedy the message ends with, in its words
	// ([Remedy.String]), when it ends with one (an error's, say): a front
	// end that words remedies its own way replaces that suffix.
	MessageRemedy *Remedy `json:"-"`
}

// Report is what [Check] found.
type Report struct {
	Host    Host     `json:"host"`
	Engine  Engine   `json:"engine"`
	Cache   Cache    `json:"cache"`
	Gateway *Gateway `json:"gateway,omitempty"`
	Refs    []Ref    `json:"refs"`
	// Links are the cache's links (stable paths for a gateway's
	// supervisor_bin), each checked in full; see [CheckLinks].
	Links    []*cache.Link `json:"links"`
	Problems []Problem     `json:"problems"`
}

// Host is this machine.
type Host struct {
	Platform  string                `json:"platform"` // e.g. "linux/amd64"
	Target    string                `json:"target"`   // the platform supervisors are selected for
	Emulators []supervisor.Emulator `json:"emulators"`
}

// Engine is the container engine as [engine.Diagnose] found it.
type Engine struct {
	engine.Diagnosis
	Why   string `json:"why,omitempty"` // how the endpoint was chosen, in words
	Error string `json:"error,omitempty"`
}

// Cache is the cache's state.
type Cache struct {
	Dir       string           `json:"dir"`
	Exists    bool             `json:"exists"`
	Owner     int              `json:"owner_uid"`
	Mode      string           `json:"mode,omitempty"`
	Entries   int              `json:"entries"`
	Records   int              `json:"records"`
	Verify    []cache.Problem  `json:"verify_problems"`
	Leftovers []cache.Leftover `json:"leftovers"`
	Note      string           `json:"note,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// Ref is what the cache holds for one reference.
type Ref struct {
	Ref           string        `json:"ref"`
	Platform      string        `json:"platform"`
	Digest        digest.Digest `json:"digest,omitempty"`
	IndexDigest   digest.Digest `json:"index_digest,omitempty"`
	Version       string        `json:"version"`
	VersionSource string        `json:"version_source,omitempty"`
	Path          string        `json:"path,omitempty"`
	CheckedAt     time.Time     `json:"checked_at,omitzero"`
	Age           string        `json:"age,omitempty"` // since CheckedAt, e.g. "3h12m0s"
	Stale         bool          `json:"stale"`         // a floating tag older than the max age: the next pull checks it
	Range         string        `json:"range,omitempty"`
	// Verdict is "compatible", "incompatible", "unknown-version",
	// "no-range", "not-cached" or "error".
	Verdict string `json:"verdict"`
	Error   string `json:"error,omitempty"`
}

// The verdicts of a [Ref].
const (
	VerdictCompatible   = "compatible"
	VerdictIncompatible = "incompatible"
	VerdictUnknown      = "unknown-version"
	VerdictNoRange      = "no-range"
	VerdictNotCached    = "not-cached"
	VerdictError        = "error"
)

// OK reports whether no problem (warnings aside) was found.
func (r *Report) OK() bool {
	for _, p := range r.Problems {
		if p.Severity == SeverityProblem {
			return false
		}
	}
	return true
}

// An Option configures [Check].
type Option func(*config) error

type config struct {
	refs      []string
	platform  string
	rng       *compat.Range
	kind      engine.Kind
	engine    []engine.Option
	maxAge    time.Duration
	binfmtDir string
	now       func() time.Time
	gateway   gateway.Options
	noGateway bool
}

// WithRefs names the references to examine (default: every recorded one).
func WithRefs(refs ...string) Option {
	return func(c *config) error { c.refs = refs; return nil }
}

// WithPlatform sets the target platform (default linux/<GOARCH>).
func WithPlatform(p string) Option {
	return func(c *config) error {
		if _, err := resolver.ParsePlatform(p); err != nil {
			return err
		}
		c.platform = p
		return nil
	}
}

// WithRange sets the range references are judged by.
func WithRange(r *compat.Range) Option {
	return func(c *config) error { c.rng = r; return nil }
}

// WithEngine selects the engine to examine (default [engine.Auto]) and
// how it is opened.
func WithEngine(k engine.Kind, opts ...engine.Option) Option {
	return func(c *config) error {
		if _, err := engine.ParseKind(string(k)); err != nil {
			return err
		}
		c.kind, c.engine = k, opts
		return nil
	}
}

// WithMaxAge sets how long a floating tag's check stays fresh (default
// [resolver.DefaultMaxAge]).
func WithMaxAge(d time.Duration) Option {
	return func(c *config) error { c.maxAge = d; return nil }
}

// Check examines the setup whose cache is in dir (when empty, the one
// [cache.ResolveDir] names) and reports what it
// found. The error is for failures to examine at all, such as a cancelled
// ctx; everything wrong with the setup is in the report.
func Check(ctx context.Context, dir string, opts ...Option) (*Report, error) {
	cfg := config{platform: "linux/" + runtime.GOARCH, kind: engine.Auto, maxAge: resolver.DefaultMaxAge,
		binfmtDir: supervisor.BinfmtDir, now: time.Now}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	r := &Report{Refs: []Ref{}, Links: []*cache.Link{}, Problems: []Problem{}}
	r.Host = Host{Platform: runtime.GOOS + "/" + runtime.GOARCH, Target: cfg.platform, Emulators: []supervisor.Emulator{}}
	if ems, err := supervisor.Emulators(cfg.binfmtDir); err == nil && ems != nil {
		r.Host.Emulators = ems
	}
	r.checkEngine(ctx, cfg)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !cfg.noGateway {
		if err := r.checkGateway(ctx, cfg); err != nil {
			return nil, err
		}
	}
	c, err := r.checkCache(ctx, dir)
	if err != nil {
		return nil, err
	}
	if c != nil {
		if err := r.checkRefs(ctx, c, cfg); err != nil {
			return nil, err
		}
		if err := r.checkLinks(ctx, c, cfg.rng); err != nil {
			return nil, err
		}
	} else {
		for _, ref := range cfg.refs {
			r.Refs = append(r.Refs, Ref{Ref: ref, Platform: cfg.platform, Verdict: VerdictNotCached})
			r.addRemedy("ref", SeverityProblem, KindNotCached, fmt.Sprintf("%s is not cached (there is no cache yet)", ref),
				Remedy{Action: ActionPull, Ref: ref})
		}
	}
	return r, nil
}

func (r *Report) add(area string, sev Severity, kind Kind, msg, fix string) {
	r.Problems = append(r.Problems, Problem{Area: area, Severity: sev, Kind: kind, Message: msg, Fix: fix})
}

// addSaid adds a problem whose message may end with the remedy said (an
// error's; none if it has no action), and whose fix is rm.
func (r *Report) addSaid(area string, sev Severity, kind Kind, msg string, said, rm Remedy) {
	r.addRemedy(area, sev, kind, msg, rm)
	if said.Action != "" && strings.HasSuffix(msg, said.String()) {
		r.Problems[len(r.Problems)-1].MessageRemedy = &said
	}
}

// remedyOf is the remedy err carries; none (no action) if it carries none.
func remedyOf(err error) Remedy {
	rm, _ := remedy.Of(err)
	return rm
}

// addRemedy adds a problem whose fix is the one action rm.
func (r *Report) addRemedy(area string, sev Severity, kind Kind, msg string, rm Remedy) {
	r.Problems = append(r.Problems, Problem{Area: area, Severity: sev, Kind: kind, Message: msg, Fix: rm.String(), Remedy: &rm})
}
