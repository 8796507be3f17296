package resolver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/openshell-contrib/supctl/cache"
)

// ErrNoRange reports a [Resolver.ResolveLink] by a resolver without a
// range: a link is only ever switched to a binary found in range.
var ErrNoRange = errors.New("a link is switched only to a binary checked against a compatibility range: give the range the gateway speaks")

// A Linked is a resolve whose binary a link of the cache names.
type Linked struct {
	Result
	// Link is the link after the resolve; Switched says whether this
	// resolve moved it.
	Link     *cache.Link `json:"link"`
	Switched bool        `json:"switched"`
}

// ResolveLink resolves ref as [Resolver.ResolveAndHold] does and, if that
// succeeds, points the cache's link called name at the binary
// ([cache.Cache.SetLink]): the stable path a gateway's supervisor_bin is
// set to (see "Links" in package cache). The resolver must have a range
// ([WithRange]), else the error matches [ErrNoRange]. Any failure of the
// resolve, an incompatible or unknown version included, leaves the link
// as it was, so the link never names a binary outside the range it was
// last switched under. The entry stays held until the link names it, so
// no collection comes in between.
//
// The switch does not change what a running gateway mounts: OpenShell's
// Docker driver resolves supervisor_bin when it starts. Call ResolveLink
// before the gateway starts.
func (r *Resolver) ResolveLink(ctx context.Context, ref, name string) (*Linked, error) {
	if r.cfg.rng == nil {
		return nil, fmt.Errorf("link %s: %w", name, ErrNoRange)
	}
	if err := cache.ValidLinkName(name); err != nil {
		return nil, err
	}
	h, err := r.ResolveAndHold(ctx, ref)
	if err != nil {
		return nil, err
	}
	l, switched, err := r.cache.SetLink(ctx, name, r.key(h.Digest))
	if err = errors.Join(err, h.Release()); err != nil {
		return nil, err
	}
	r.cfg.log.Info("linked", "link", l.Path, "ref", h.Ref, "digest", h.Digest, "platform", h.Platform,
		"version", h.Version, "range", r.cfg.rng.String(), "switched", switched)
	return &Linked{Result: h.Result, Link: l, Switched: switched}, nil
}

// BinDriverConfig returns the gateway configuration table that sets path
// as the Docker driver's supervisor binary:
//
//	[openshell.drivers.docker]
//	supervisor_bin = "/home/me/.local/share/openshell/docker-supervisor/links/gateway"
//
// The value is a TOML basic string, escaped as [DriverConfig]'s is.
func BinDriverConfig(path string) string {
	return "[openshell.drivers.docker]\nsupervisor_bin = " + tomlString(path) + "\n"
}

// WriteLinkConfig writes the gateway configuration that sets the link l
// as the supervisor binary: a comment saying what the link names now (the
// binary's version, how it was learned, its image), then
// [BinDriverConfig] of the link's path.
func WriteLinkConfig(w io.Writer, l *cache.Link) error {
	var b strings.Builder
	if l.Target != "" {
		fmt.Fprintf(&b, "# %s names %s %s (%s) from %s, %s.\n", tomlComment(l.Name), tomlComment(programName(l.Target)),
			tomlComment(l.Version), tomlComment(l.VersionSource), tomlComment(l.Ref), tomlComment(l.Platform))
	}
	b.WriteString("# supctl switches it after each pull under the gateway's range; the gateway reads it when it starts.\n")
	b.WriteString(BinDriverConfig(l.Path))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteConfig writes the gateway configuration that sets the link as the
// supervisor binary ([WriteLinkConfig]).
func (l *Linked) WriteConfig(w io.Writer) error { return WriteLinkConfig(w, l.Link) }

func programName(p string) string { return p[strings.LastIndexAny(p, `/\`)+1:] }
