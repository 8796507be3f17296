package integration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestJSONLogs checks --log-format json --log-level info: stderr is JSON
// lines, one event per decision, named by its message, so that "why did
// this pull do that" can be answered from the logs: extracted on a cold
// pull, cache-hit on a warm one, checked on a stale tag that did not move,
// refreshed then extracted on one that did. The plain output on stdout is
// unchanged.
func TestJSONLogs(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	b, ref := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionD})
	im := b.Images["linux/amd64"]
	u := newUser(t)
	pull := func(im *fixture.BuiltImage, args ...string) []map[string]any {
		t.Helper()
		path, o := u.pullPath(t, append([]string{ref, "--platform", "linux/amd64", "--log-format", "json", "--log-level", "info"}, args...)...)
		checkBinary(t, path, u.cache, im)
		return jsonLines(t, o.stderr)
	}

	cold := pull(im)
	ev := event(t, cold, "extracted")
	version, source := wantVersion(t, im, versionD)
	for k, want := range map[string]any{
		"level": "INFO", "ref": ref, "digest": manifestDigest(t, im), "platform": "linux/amd64",
		"layer": im.Layers[len(im.Layers)-1].String(), "version": version, "version_source": source,
	} {
		if ev[k] != want {
			t.Errorf("event extracted: %s = %v, want %v", k, ev[k], want)
		}
	}
	noEvent(t, cold, "cache-hit", "checked")

	warm := pull(im)
	if ev := event(t, warm, "cache-hit"); ev["ref"] != ref || ev["digest"] != manifestDigest(t, im) {
		t.Errorf("event cache-hit: %v", ev)
	}
	noEvent(t, warm, "extracted", "checked")

	stale := pull(im, "--max-age", "0s")
	if ev := event(t, stale, "checked"); ev["ref"] != ref || ev["digest"] != indexDigest(t, b) {
		t.Errorf("event checked: %v, want ref %s, digest %s", ev, ref, indexDigest(t, b))
	}
	noEvent(t, stale, "extracted", "refreshed")

	b2, _ := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionA})
	moved := pull(b2.Images["linux/amd64"], "--max-age", "0s")
	if ev := event(t, moved, "refreshed"); ev["old"] != indexDigest(t, b) || ev["new"] != indexDigest(t, b2) {
		t.Errorf("event refreshed: %v, want old %s, new %s", ev, indexDigest(t, b), indexDigest(t, b2))
	}
	if v, _ := wantVersion(t, b2.Images["linux/amd64"], versionA); event(t, moved, "extracted")["version"] != v {
		t.Errorf("event extracted after the tag moved: want version %q", v)
	}

	// At the default level (warn) a successful pull logs nothing.
	if _, o := u.pullPath(t, ref, "--platform", "linux/amd64", "--log-format", "json"); o.stderr != "" {
		t.Errorf("a warm pull at the default log level logged: %q", o.stderr)
	}
}

// jsonLines parses stderr as JSON lines, failing on any line that is not a
// JSON object with time, level and msg.
func jsonLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(stderr) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("stderr line is not a JSON object: %v: %q", err, line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := m[k]; !ok {
				t.Errorf("log event without %q: %q", k, line)
			}
		}
		out = append(out, m)
	}
	return out
}

// event returns the one event named msg, failing unless there is exactly
// one.
func event(t *testing.T, events []map[string]any, msg string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, e := range events {
		if e["msg"] == msg {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Errorf("%d events %q, want one; events: %v", len(found), msg, events)
		return map[string]any{}
	}
	return found[0]
}

func noEvent(t *testing.T, events []map[string]any, msgs ...string) {
	t.Helper()
	for _, e := range events {
		for _, m := range msgs {
			if e["msg"] == m {
				t.Errorf("unexpected event %q: %v", m, e)
			}
		}
	}
}
