package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// oneJSONDoc decodes stdout as exactly one JSON document.
func oneJSONDoc(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON document:\n%s", out)
	}
	return doc
}

// TestJSONOnEveryFailure runs each failure kind with --json and
// --log-format json: stdout is one document with an error member naming the
// exit code and kind, and every stderr line is a JSON record.
func TestJSONOnEveryFailure(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "sup:dev", fixture.Options{})
	_, amd := pushFixture(t, reg, "amd:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	_, script := pushFixture(t, reg, "script:dev", fixture.Options{Hostile: fixture.HostileScript})
	down := registrytest.NewInProcess(t)
	down.Close()

	tests := []struct {
		name   string
		args   []string
		code   int
		kind   string
		fields map[string]any
	}{
		{"unknown command", []string{"pul"}, 2, "usage", nil},
		{"unknown flag", []string{"pull", ref, "--nope"}, 2, "usage", nil},
		{"bad range", []string{"pull", ref, "--compat", ">=0.x"}, 2, "usage", map[string]any{"range": ">=0.x"}},
		{"two outputs", []string{"pin", ref, "--format", "toml"}, 2, "usage", nil},
		{"unknown tag", []string{"pull", reg.Host() + "/sup:nope"}, 4, "not_found", nil},
		{"platform", []string{"pull", amd, "--platform", "linux/arm64"}, 4, "not_found",
			map[string]any{"platform": "linux/arm64", "platforms": []any{"linux/amd64"}}},
		{"unreachable", []string{"pull", down.Host() + "/sup:dev"}, 5, "unreachable", nil},
		{"never", []string{"pull", ref, "--pull", "never"}, 5, "not_cached", nil},
		{"refused", []string{"pull", script, "--platform", "linux/amd64"}, 1, "refused", nil},
		{"incompatible", []string{"pull", ref, "--compat", ">=9.0.0", "--platform", "linux/amd64"}, 3, "incompatible",
			map[string]any{"range": ">=9.0.0", "version": fixture.DefaultVersion, "platform": "linux/amd64", "ref": ref}},
		{"pin incompatible", []string{"pin", ref, "--compat", ">=9.0.0"}, 3, "incompatible", map[string]any{"range": ">=9.0.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := supctl(t, append([]string{"--json", "--log-format", "json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, errOut)
			}
			doc := oneJSONDoc(t, out)
			e, ok := doc["error"].(map[string]any)
			if !ok {
				t.Fatalf("no error member:\n%s", out)
			}
			if e["exit_code"] != float64(tc.code) || e["kind"] != tc.kind || e["message"] == "" {
				t.Errorf("error = %v; want exit_code %d, kind %s, a message", e, tc.code, tc.kind)
			}
			for k, v := range tc.fields {
				if got, _ := json.Marshal(e[k]); !bytes.Equal(got, must(json.Marshal(v))) {
					t.Errorf("error.%s = %s, want %v", k, got, v)
				}
			}
			if strings.Contains(out, `\u003e`) || strings.Contains(out, `\u003c`) {
				t.Errorf("HTML escaping in stdout:\n%s", out)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			for _, l := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Errorf("stderr line is not JSON: %q", l)
				}
			}
			var last map[string]any
			_ = json.Unmarshal([]byte(lines[len(lines)-1]), &last)
			if last["level"] != "ERROR" || last["msg"] != e["message"] || last["exit_code"] != float64(tc.code) {
				t.Errorf("last stderr line %v is not the error", last)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestInspectFileJSON: a local file has no ref, digests or registry check,
// so its document has none of those fields; an incompatible one still
// prints its report, with the error added.
func TestInspectFileJSON(t *testing.T) {
	isolate(t)
	amd, err := fixture.BuildSupervisor(context.Background(), t.TempDir(), "amd64", "0.0.47-dev.13")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := supctl(t, "--json", "inspect", amd, "--platform", "linux/amd64")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := oneJSONDoc(t, out)
	for _, k := range []string{"ref", "digest", "index_digest", "checked_at", "error"} {
		if _, ok := doc[k]; ok {
			t.Errorf("inspect of a file has %q:\n%s", k, out)
		}
	}
	if doc["version"] != "0.0.47-dev.13" || doc["resolved_from"] != "file" || doc["compatible"] != true {
		t.Errorf("document:\n%s", out)
	}

	code, out, _ = supctl(t, "--json", "inspect", amd, "--platform", "linux/amd64", "--compat", ">=0.1.0")
	doc = oneJSONDoc(t, out)
	e, _ := doc["error"].(map[string]any)
	if code != 3 || doc["compatible"] != false || doc["verdict"] != "outside >=0.1.0" || e["kind"] != "incompatible" {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, `">=0.1.0"`) {
		t.Errorf("range not printed as is:\n%s", out)
	}
}
