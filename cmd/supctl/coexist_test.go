package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestCoexistence: in the directory the gateway shares with supctl's
// cache, supctl's commands never remove, rewrite or choke on the
// gateway's own files (sha256-*/openshell-sandbox, anything else not
// supctl's); ls lists the gateway's extractions apart; only
// "gc --gateway-extractions" removes them.
func TestCoexistence(t *testing.T) {
	isolate(t)
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	dir := filepath.Join(data, "openshell", "docker-supervisor")
	t.Setenv("SUPCTL_CACHE_DIR", dir)
	hex := strings.Repeat("ab", 32)
	extraction := filepath.Join(dir, "sha256-"+hex, "openshell-sandbox")
	writeFile(t, extraction, "\x7fELF gateway's own", 0o755)
	foreign := map[string]string{
		extraction: "\x7fELF gateway's own",
		filepath.Join(dir, "sha256-"+hex, ".tmp-openshell-sandbox-1"): "partial",
		filepath.Join(dir, "token"):                                   "secret",
		filepath.Join(dir, "sha256-not-hex", "openshell-sandbox"):     "odd",
	}
	for p, s := range foreign {
		writeFile(t, p, s, 0o600)
	}
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}})
	for _, args := range [][]string{
		{"pull", ref},
		{"ls"},
		{"verify"},
		{"verify", "--repair"},
		{"gc", "--max-unused", "0s"},
		{"gc", "--gateway-extractions", "--dry-run"},
		{"doctor", "--no-gateway", "--engine", "none"},
	} {
		code, out, errOut := supctl(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		if args[0] == "ls" && (!strings.Contains(out, "the OpenShell gateway's own extractions in "+filepath.Join(data, "openshell")) || !strings.Contains(out, extraction)) {
			t.Errorf("ls does not list the gateway's extraction:\n%s", out)
		}
		for p, s := range foreign {
			if b, err := os.ReadFile(p); err != nil || string(b) != s {
				t.Fatalf("after %v, %s is %q, %v", args, p, b, err)
			}
		}
	}
	_, out, _ := supctl(t, "ls", "--gateway-extractions", "--json")
	var xs []struct {
		Driver, Path string
		ImageID      string `json:"image_id"`
	}
	if err := json.Unmarshal([]byte(out), &xs); err != nil || len(xs) != 1 || xs[0].Path != extraction || xs[0].ImageID != "sha256:"+hex || xs[0].Driver != "docker" {
		t.Fatalf("ls --gateway-extractions --json: %v\n%s", err, out)
	}
	// ls --json stays an array of supctl's entries only.
	_, out, _ = supctl(t, "ls", "--json")
	var entries []map[string]any
	if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("ls --json: %v\n%s", err, out)
	}
	// Asked by name, gc removes the extraction, and only it.
	code, out, errOut := supctl(t, "gc", "--gateway-extractions", "--json")
	var rep struct {
		Removed []struct{ Path string }
		Freed   int64 `json:"freed_bytes"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Removed) != 1 || rep.Removed[0].Path != extraction {
		t.Fatalf("gc --gateway-extractions: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(extraction); !os.IsNotExist(err) {
		t.Fatalf("extraction still there: %v", err)
	}
	for p, s := range foreign {
		if p == extraction {
			continue
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != s {
			t.Fatalf("gc --gateway-extractions touched %s: %q, %v", p, b, err)
		}
	}
	if code, out, _ := supctl(t, "ls"); code != 0 || !strings.Contains(out, ref) {
		t.Fatalf("supctl's entry after: %s", out)
	}
}
