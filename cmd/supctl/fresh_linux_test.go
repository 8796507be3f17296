package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
)

// The commands that only read or trim the cache leave a fresh machine as
// they found it: a cache that was never created stays uncreated, and each
// reports the empty cache it is.
func TestReadOnlyCommandsCreateNoCache(t *testing.T) {
	for _, args := range [][]string{
		{"ls"},
		{"ls", "--json"},
		{"gc"},
		{"gc", "--dry-run", "--json"},
		{"verify"},
		{"verify", "--repair", "--json"},
	} {
		dir := filepath.Join(t.TempDir(), "never-created")
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--cache-dir", dir}, args...), &stdout, &stderr)
		if code != exitOK {
			t.Errorf("%q: exit %d, want 0; stderr: %s", args, code, stderr.String())
		}
		if _, err := os.Lstat(dir); !os.IsNotExist(err) {
			t.Errorf("%q created the cache directory %s (%v)", args, dir, err)
		}
		if args[len(args)-1] == "--json" && !json.Valid(stdout.Bytes()) {
			t.Errorf("%q printed no JSON document: %q", args, stdout.String())
		}
	}
}

// What a killed pull leaves (a temporary entry) is a leftover, not
// damage: verify lists it with its age and what removes it, and exits 0;
// --json lists it apart from the problems; doctor warns without failing.
func TestVerifyLeftoversDoNotFail(t *testing.T) {
	dir := isolate(t)
	if err := os.MkdirAll(filepath.Join(dir, "entries"), 0o755); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(dir, "entries", ".tmp-sha256-"+strings.Repeat("a", 64)+"-9")
	if err := os.MkdirAll(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := supctl(t, "verify")
	if code != exitOK || !strings.Contains(out, dead) || !strings.Contains(out, "killed") || !strings.Contains(out, "ago") ||
		!strings.Contains(out, `"supctl gc"`) || !strings.Contains(out, "ok: 0 entries verified") {
		t.Fatalf("verify: exit %d, %q %s", code, out, errOut)
	}
	code, out, errOut = supctl(t, "--json", "verify")
	var r cache.VerifyReport
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil || len(r.Problems) != 0 || len(r.Leftovers) != 1 ||
		r.Leftovers[0].Path != dead || r.Leftovers[0].What != "temporary entry" {
		t.Fatalf("verify --json: exit %d, %s %s", code, out, errOut)
	}
	if code, out, errOut := supctl(t, "doctor", "--engine", "none"); code != exitOK || !strings.Contains(out, dead) {
		t.Fatalf("doctor: exit %d, %s %s", code, out, errOut)
	}
	code, out, errOut = supctl(t, "--json", "verify", "--repair")
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil || len(r.Leftovers) != 1 || r.Leftovers[0].Action != "removed" {
		t.Fatalf("verify --repair --json: exit %d, %s %s", code, out, errOut)
	}
	if _, err := os.Lstat(dead); !os.IsNotExist(err) {
		t.Fatalf("repair left %s: %v", dead, err)
	}
}

// The read-only commands pointed at a directory that exists but is not
// (yet) a cache create nothing in it: no entries/, refs/, indexes/ or
// pins/ (they once made /entries of "--cache-dir / ls").
func TestReadOnlyCommandsCreateNothingInADirectory(t *testing.T) {
	dir := isolate(t)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := fixture.Build(context.Background(), fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	if err != nil {
		t.Fatal(err)
	}
	before := cliSnapshot(t, dir)
	for _, args := range [][]string{
		{"ls"}, {"--json", "ls"}, {"gc", "--dry-run"}, {"--json", "gc", "--dry-run"},
		{"verify"}, {"--json", "verify"}, {"doctor", "--engine", "none"}, {"inspect", b.Binary("linux/amd64"), "--engine", "none"},
	} {
		if code, out, errOut := supctl(t, args...); code != exitOK {
			t.Errorf("%q: exit %d, %s %s", args, code, out, errOut)
		}
		if after := cliSnapshot(t, dir); after != before {
			t.Fatalf("%q changed %s:\nbefore\n%s\nafter\n%s", args, dir, before, after)
		}
	}
}
