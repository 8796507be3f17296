package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// pullJSON pulls and returns the path and whether it was extracted.
func pullJSON(t *testing.T, args ...string) (path string, extracted bool) {
	t.Helper()
	code, out, errOut := supctl(t, append([]string{"--json", "pull"}, args...)...)
	if code != 0 {
		t.Fatalf("pull %v: exit %d: %s", args, code, errOut)
	}
	var res struct {
		Path      string
		Extracted bool
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res.Path, res.Extracted
}

// oneDoc decodes stdout as exactly one JSON document.
func oneDoc(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
}

func TestLsGCVerify(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	b, tag := pushFixture(t, reg, "sup:dev", fixture.Options{Version: "0.0.47-dev.13"})
	old, oldTag := pushFixture(t, reg, "sup:old", fixture.Options{Version: "0.0.46"})
	id, _ := old.Index.Digest()
	byDigest := strings.TrimSuffix(oldTag, ":old") + "@" + id.String()

	amd, _ := pullJSON(t, tag, "--platform", "linux/amd64")
	pullJSON(t, tag, "--platform", "linux/arm64")
	unref, _ := pullJSON(t, byDigest, "--platform", "linux/amd64") // no ref record protects it

	code, out, errOut := supctl(t, "ls")
	if code != 0 || errOut != "" {
		t.Fatalf("ls: exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "DIGEST") || !strings.Contains(lines[0], "LAST USED") {
		t.Fatalf("ls table:\n%s", out)
	}
	if !strings.Contains(out, "0.0.47-dev.13") || !strings.Contains(out, tag) || !strings.Contains(out, "linux/arm64") {
		t.Errorf("ls table lacks the version, ref or platform:\n%s", out)
	}
	code, out, _ = supctl(t, "--json", "ls")
	var list []struct {
		Digest, Path, Platform, Version string
		Refs                            []string
		Pinned                          bool
		Size                            int64
	}
	oneDoc(t, out, &list)
	if code != 0 || len(list) != 3 {
		t.Fatalf("ls --json: exit %d, %d entries", code, len(list))
	}
	for _, e := range list {
		if e.Path == amd && (len(e.Refs) != 1 || e.Refs[0] != tag || e.Size == 0 || e.Pinned) {
			t.Errorf("ls --json entry %+v", e)
		}
	}

	code, out, _ = supctl(t, "verify")
	if code != 0 || out != "ok: 3 entries verified\n" {
		t.Fatalf("verify: exit %d %q", code, out)
	}

	// Only the entry no ref points at goes; twice to be sure nothing else does.
	for _, dry := range []bool{true, false} {
		args := []string{"gc", "--max-unused", "0"}
		if dry {
			args = append(args, "--dry-run")
		}
		code, out, errOut = supctl(t, args...)
		if code != 0 {
			t.Fatalf("gc: exit %d %s", code, errOut)
		}
		want := "removed 1 entry, freed "
		if dry {
			want = "would remove 1 entry, freeing "
		}
		if !strings.Contains(out, want) || !strings.Contains(out, "0.0.46") {
			t.Fatalf("gc output:\n%s", out)
		}
		if _, err := os.Stat(unref); (err == nil) != dry {
			t.Fatalf("dry run %v: entry still there: %v", dry, err == nil)
		}
	}
	code, out, _ = supctl(t, "--json", "gc", "--max-unused", "0")
	var r struct {
		Removed []any
		Kept    []struct{ Reason string }
	}
	oneDoc(t, out, &r)
	if code != 0 || len(r.Removed) != 0 || len(r.Kept) != 2 || r.Kept[0].Reason != "current-ref" {
		t.Fatalf("gc --json: %d %+v", code, r)
	}

	// Damage the amd64 binary: same size, other bytes.
	os.Chmod(amd, 0o755)
	data, _ := os.ReadFile(amd)
	data[len(data)/2] ^= 0xff
	os.WriteFile(amd, data, 0o755)
	os.Chmod(amd, 0o555)
	code, out, errOut = supctl(t, "verify")
	if code != 6 || !strings.Contains(out, filepath.Dir(amd)+": ") || !strings.Contains(out, "sha256") {
		t.Fatalf("verify of a damaged entry: exit %d\n%s", code, out)
	}
	if !strings.HasPrefix(errOut, "supctl: found 1 problem") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--repair") {
		t.Errorf("verify error line %q", errOut)
	}
	code, out, _ = supctl(t, "--json", "verify")
	var bad struct {
		Problems []struct{ Path string }
		Error    struct {
			ExitCode int `json:"exit_code"`
			Kind     string
			Problems int
		}
	}
	oneDoc(t, out, &bad)
	if code != 6 || len(bad.Problems) != 1 || bad.Error.ExitCode != 6 || bad.Error.Kind != "corrupt" || bad.Error.Problems != 1 {
		t.Fatalf("verify --json of a damaged entry: exit %d\n%s", code, out)
	}
	code, out, errOut = supctl(t, "verify", "--repair")
	if code != 6 || !strings.Contains(out, "set aside") || !strings.Contains(errOut, "repaired 1") {
		t.Fatalf("verify --repair: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = supctl(t, "--json", "verify"); code != 0 {
		t.Fatalf("verify after repair: exit %d\n%s", code, out)
	}
	var vr struct{ Entries int }
	oneDoc(t, out, &vr)
	if vr.Entries != 1 {
		t.Fatalf("verify --json: %s", out)
	}
	p, extracted := pullJSON(t, tag, "--platform", "linux/amd64")
	if p != amd || !extracted {
		t.Fatalf("pull after repair: %s extracted %v, want %s extracted again", p, extracted, amd)
	}
	sameFile(t, p, b.Binary("linux/amd64"))
	if _, err := os.Stat(filepath.Join(dir, "entries")); err != nil {
		t.Fatal(err)
	}
}

func TestCacheCommandUsage(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"gc", "--max-unused", "-1h"},
		{"gc", "--max-unused", "soon"},
		{"gc", "--keep", "-1"},
		{"gc", "extra"},
		{"ls", "extra"},
		{"verify", "extra"},
	} {
		if code, _, errOut := supctl(t, args...); code != 2 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want 2 and one line", args, code, errOut)
		}
	}
	if code, out, _ := supctl(t, "gc", "--max-unused", "30d"); code != 0 || out != "removed 0 entries, freed 0 bytes (0 B)\n" {
		t.Errorf("gc of an empty cache: %d %q", code, out)
	}
}

// Records that are corrupt or of a newer schema: reported, the corrupt
// ones set aside, the newer ones never changed, and the cache keeps working.
func TestBadRecords(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	b, tag := pushFixture(t, reg, "sup:dev", fixture.Options{})
	path, _ := pullJSON(t, tag, "--platform", "linux/amd64")
	refs, _ := filepath.Glob(filepath.Join(dir, "refs", "*.json"))
	if len(refs) != 1 {
		t.Fatalf("ref records %v", refs)
	}
	os.WriteFile(refs[0], []byte("{garbage"), 0o644)
	code, out, _ := supctl(t, "verify")
	if code != 6 || !strings.Contains(out, refs[0]) || !strings.Contains(out, "corrupt") {
		t.Fatalf("verify of a corrupt ref record: exit %d\n%s", code, out)
	}
	// A pull sets it aside with a warning, and records the ref again.
	code, out, errOut := supctl(t, "pull", tag, "--platform", "linux/amd64")
	if code != 0 || strings.TrimSpace(out) != path || !strings.Contains(errOut, "corrupt") {
		t.Fatalf("pull with a corrupt ref record: exit %d %q %q", code, out, errOut)
	}
	if code, out, _ := supctl(t, "verify"); code != 0 {
		t.Fatalf("verify after the pull: exit %d\n%s", code, out)
	}
	sameFile(t, path, b.Binary("linux/amd64"))

	// An entry record from a newer supctl: refused, not overwritten.
	rec := filepath.Join(filepath.Dir(path), "entry.json")
	future := `{"schemaVersion":99,"ref":"from the future"}` + "\n"
	os.WriteFile(rec, []byte(future), 0o644)
	code, _, errOut = supctl(t, "pull", tag, "--platform", "linux/amd64")
	if code != 1 || !strings.Contains(errOut, "newer") || !strings.Contains(errOut, "upgrade supctl") {
		t.Fatalf("pull of a newer entry: exit %d %q", code, errOut)
	}
	for _, args := range [][]string{{"verify"}, {"verify", "--repair"}} {
		code, out, _ := supctl(t, args...)
		if code != 6 || !strings.Contains(out, "newer supctl") {
			t.Fatalf("%v of a newer entry: exit %d\n%s", args, code, out)
		}
	}
	if code, out, _ := supctl(t, "gc", "--max-unused", "0"); code != 0 || !strings.Contains(out, "removed 0 entries") {
		t.Fatalf("gc of a newer entry: %d\n%s", code, out)
	}
	if got, _ := os.ReadFile(rec); string(got) != future {
		t.Fatalf("the newer record was changed to %q", got)
	}
}
