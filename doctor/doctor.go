package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/resolver"
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
	Area     string   `json:"area"` // "engine", "cache" or "ref"
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix"`
	// Code is the exit code this problem stands for (see the package
	// documentation); 0 for a warning.
	Code int `json:"code"`
}

// Report is what [Check] found.
type Report struct {
	Host     Host      `json:"host"`
	Engine   Engine    `json:"engine"`
	Cache    Cache     `json:"cache"`
	Refs     []Ref     `json:"refs"`
	Problems []Problem `json:"problems"`
}

// Host is this machine.
type Host struct {
	Platform  string            `json:"platform"` // e.g. "linux/amd64"
	Target    string            `json:"target"`   // the platform supervisors are selected for
	Emulators []engine.Emulator `json:"emulators"`
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

// ExitCode is the exit code of the report (see the package documentation).
func (r *Report) ExitCode() int {
	best := 0
	rank := map[int]int{3: 4, 6: 3, 4: 2, 1: 1}
	for _, p := range r.Problems {
		if p.Severity == SeverityProblem && rank[p.Code] > rank[best] {
			best = p.Code
		}
	}
	return best
}

// OK reports whether no problem (warnings aside) was found.
func (r *Report) OK() bool { return r.ExitCode() == 0 }

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

// Check examines the setup whose cache is in dir and reports what it
// found. The error is for failures to examine at all, such as a cancelled
// ctx; everything wrong with the setup is in the report.
func Check(ctx context.Context, dir string, opts ...Option) (*Report, error) {
	cfg := config{platform: "linux/" + runtime.GOARCH, kind: engine.Auto, maxAge: resolver.DefaultMaxAge,
		binfmtDir: engine.BinfmtDir, now: time.Now}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	r := &Report{Refs: []Ref{}, Problems: []Problem{}}
	r.Host = Host{Platform: runtime.GOOS + "/" + runtime.GOARCH, Target: cfg.platform, Emulators: []engine.Emulator{}}
	if ems, err := engine.Emulators(cfg.binfmtDir); err == nil && ems != nil {
		r.Host.Emulators = ems
	}
	r.checkEngine(ctx, cfg)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := r.checkCache(ctx, dir)
	if err != nil {
		return nil, err
	}
	if c != nil {
		if err := r.checkRefs(ctx, c, cfg); err != nil {
			return nil, err
		}
	} else {
		for _, ref := range cfg.refs {
			r.Refs = append(r.Refs, Ref{Ref: ref, Platform: cfg.platform, Verdict: VerdictNotCached})
			r.add("ref", SeverityProblem, 4, fmt.Sprintf("%s is not cached (there is no cache yet)", ref),
				fmt.Sprintf("run \"supctl pull %s\"", ref))
		}
	}
	return r, nil
}

func (r *Report) add(area string, sev Severity, code int, msg, fix string) {
	if sev == SeverityWarning {
		code = 0
	}
	r.Problems = append(r.Problems, Problem{Area: area, Severity: sev, Message: msg, Fix: fix, Code: code})
}

func (r *Report) checkCache(ctx context.Context, dir string) (*cache.Cache, error) {
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			r.Cache.Error = err.Error()
			r.add("cache", SeverityProblem, 1, err.Error(), "set --cache-dir or SUPCTL_CACHE_DIR")
			return nil, nil
		}
		dir = d
	}
	r.Cache = Cache{Dir: dir, Owner: -1, Verify: []cache.Problem{}, Leftovers: []cache.Leftover{}}
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // the first pull creates it
	}
	if err != nil {
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, 1, fmt.Sprintf("cache directory %s: %v", dir, err), "make it readable by this user, or set --cache-dir")
		return nil, nil
	}
	r.Cache.Exists, r.Cache.Mode = true, fmt.Sprintf("%04o", fi.Mode().Perm())
	r.Cache.Owner = owner(fi)
	c, err := cache.Open(dir)
	if err != nil {
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, 1, err.Error(), "fix the directory's owner and mode as the message says, or set --cache-dir")
		return nil, nil
	}
	vr, err := c.Verify(ctx, false)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Cache.Error = err.Error()
		r.add("cache", SeverityProblem, 1, fmt.Sprintf("verifying cache %s: %v", dir, err), "check the directory's permissions, then run \"supctl verify\"")
	} else {
		r.Cache.Entries, r.Cache.Records, r.Cache.Verify = vr.Entries, vr.Records, vr.Problems
		for _, p := range vr.Problems {
			r.add("cache", SeverityProblem, 6, fmt.Sprintf("%s: %s", p.Path, p.Message), "run \"supctl verify --repair\"; the next pull extracts set-aside entries again")
		}
	}
	gr, err := c.GC(ctx, cache.GCPolicy{MaxUnused: 1<<63 - 1, DryRun: true})
	if err == nil {
		r.Cache.Leftovers = gr.Leftovers
		for _, l := range gr.Leftovers {
			r.add("cache", SeverityWarning, 0, fmt.Sprintf("%s is left over from an interrupted pull (%d bytes)", l.Path, l.Bytes), "run \"supctl gc\"")
		}
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return c, nil
}

func (r *Report) checkRefs(ctx context.Context, c *cache.Cache, cfg config) error {
	refs := cfg.refs
	asked := len(refs) > 0
	if !asked {
		recs, err := c.Records().Refs()
		if err != nil {
			r.add("cache", SeverityWarning, 0, fmt.Sprintf("reading the ref records: %v", err), "run \"supctl verify\"")
		}
		for _, rec := range recs {
			refs = append(refs, rec.Name)
		}
		sort.Strings(refs)
	}
	opts := []resolver.Option{resolver.WithPullPolicy(resolver.PullNever), resolver.WithPlatform(cfg.platform),
		resolver.WithEngine(engine.None), resolver.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	if cfg.rng != nil {
		opts = append(opts, resolver.WithRange(cfg.rng))
	}
	res, err := resolver.New(c, opts...)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		rr := r.checkRef(ctx, c, res, cfg, ref, asked)
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Refs = append(r.Refs, rr)
	}
	return nil
}

func (r *Report) checkRef(ctx context.Context, c *cache.Cache, res *resolver.Resolver, cfg config, ref string, asked bool) Ref {
	rr := Ref{Ref: ref, Platform: cfg.platform}
	if cfg.rng != nil {
		rr.Range = cfg.rng.String()
	}
	got, err := res.Resolve(ctx, ref)
	var ie *resolver.IncompatibleError
	switch {
	case errors.As(err, &ie):
		got = ie.Result
		rr.Verdict = VerdictIncompatible
		if ie.Version == "" {
			rr.Verdict = VerdictUnknown
		}
		what := fmt.Sprintf("supervisor %s (%s, %s)", ie.Ref, ie.Digest, ie.Platform)
		if ie.Version == "" {
			r.add("ref", SeverityProblem, 3, fmt.Sprintf("%s has an unknown version and the range %q is required", what, ie.Range),
				fmt.Sprintf("start or point DOCKER_HOST to an engine that can run %s binaries, install qemu-user-static on this host, or pin a digest whose version was checked elsewhere", ie.Platform))
		} else {
			r.add("ref", SeverityProblem, 3, fmt.Sprintf("%s is version %s, outside the required range %q", what, ie.Version, ie.Range),
				fmt.Sprintf("run \"supctl pull --pull always %s\" to take the tag's current image, pin a compatible digest with \"supctl pin\", or change the range", ie.Ref))
		}
	case errors.Is(err, resolver.ErrNotCached):
		rr.Verdict = VerdictNotCached
		sev := SeverityWarning
		if asked {
			sev = SeverityProblem
		}
		r.add("ref", sev, 4, fmt.Sprintf("%s is not cached for %s", ref, cfg.platform), fmt.Sprintf("run \"supctl pull --platform %s %s\"", cfg.platform, ref))
	case err != nil:
		rr.Verdict, rr.Error = VerdictError, err.Error()
		r.add("ref", SeverityProblem, 1, err.Error(), "see the message")
	case cfg.rng == nil:
		rr.Verdict = VerdictNoRange
	default:
		rr.Verdict = VerdictCompatible
	}
	if got != nil {
		rr.Ref, rr.Digest, rr.IndexDigest, rr.Version, rr.VersionSource, rr.Path = got.Ref, got.Digest, got.IndexDigest, got.Version, got.VersionSource, got.Path
		if rr.VersionSource == "" {
			rr.VersionSource = "unknown"
		}
		rr.CheckedAt = got.CheckedAt
	}
	if !rr.CheckedAt.IsZero() {
		age := cfg.now().Sub(rr.CheckedAt).Round(time.Second)
		rr.Age = age.String()
		if t, err := name.NewTag(ref); err == nil && !resolver.IsReleaseTag(t.TagStr()) && age > cfg.maxAge {
			if _, derr := name.NewDigest(ref); derr != nil {
				rr.Stale = true
			}
		}
	}
	return rr
}
