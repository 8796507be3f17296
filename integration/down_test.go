package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestRegistryDown pulls from a registry that then goes away: a cold pull
// of another reference is exit 5 (unreachable, no usable cached copy); the
// reference pulled before is served from the cache even when stale
// (stale-if-error), with a warning on stderr, and its digest reference with
// no registry at all.
func TestRegistryDown(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	var (
		host, ref, digestRef string
		im                   *fixture.BuiltImage
		before               pullResult
	)
	// The registry lives as long as this subtest: its cleanup stops it.
	t.Run("up", func(t *testing.T) {
		reg := startRegistry(t, registrytest.Options{})
		var b *fixture.Built
		b, ref = reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
		reg.push(t, "openshell/supervisor:other", fixture.Options{Version: versionB})
		host, im = reg.Host(), b.Images["linux/amd64"]
		digestRef = host + "/openshell/supervisor@" + indexDigest(t, b)
		before, _ = u.pullJSON(t, ref, "--platform", "linux/amd64")
		if r, _ := u.pullJSON(t, digestRef, "--platform", "linux/amd64"); r.Path != before.Path {
			t.Errorf("the digest and the tag of one index give different binaries: %s, %s", r.Path, before.Path)
		}
	})
	if t.Failed() || host == "" {
		t.FailNow()
	}

	// Cold pulls of references never pulled: unreachable.
	for _, cold := range []string{
		host + "/openshell/supervisor:other",
		host + "/openshell/supervisor@sha256:" + strings.Repeat("1", 64),
	} {
		o := u.supctl(t, "pull", cold, "--platform", "linux/amd64")
		t.Logf("registry down, cold pull: exit %d after %v: %s", o.code, o.took.Round(time.Millisecond), strings.TrimSpace(o.stderr))
		if o.code != 5 {
			t.Errorf("cold pull with the registry down: want exit 5\n%s", o)
		}
		if line := errorLine(t, o); !strings.Contains(line, host) || !strings.Contains(line, "unreachable") {
			t.Errorf("the message does not say that %s is unreachable: %q", host, line)
		}
	}

	// The tag pulled before, past its max age: the recorded digest, with
	// a warning naming its age.
	res, o := u.pullJSON(t, ref, "--platform", "linux/amd64", "--max-age", "0s")
	t.Logf("registry down, stale tag: exit %d after %v; stderr: %s", o.code, o.took.Round(time.Millisecond), strings.TrimSpace(o.stderr))
	checkBinary(t, res.Path, u.cache, im)
	if res.ResolvedFrom != "stale-cache" || res.Extracted || res.Path != before.Path || res.Version != versionB ||
		!res.CheckedAt.Equal(before.CheckedAt) || res.Digest != before.Digest {
		t.Errorf("stale tag with the registry down:\n got %+v\nwant the earlier %+v served from stale-cache", res, before)
	}
	if !strings.Contains(o.stderr, "stale-served") || !strings.Contains(o.stderr, "age=") {
		t.Errorf("serving a stale tag did not warn with its age on stderr: %q", o.stderr)
	}

	// Within its max age, and by digest: from the cache, silently.
	for _, r := range []string{ref, digestRef} {
		res, o := u.pullJSON(t, r, "--platform", "linux/amd64")
		if res.ResolvedFrom != "cache" || res.Path != before.Path || o.stderr != "" {
			t.Errorf("%s with the registry down: resolved_from %q, path %s, stderr %q; want cache, %s, nothing",
				r, res.ResolvedFrom, res.Path, o.stderr, before.Path)
		}
	}
}
