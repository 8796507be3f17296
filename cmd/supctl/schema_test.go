package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// The published JSON Schemas of the --json documents, in the repository's
// schema/ directory, and the base of their $id.
const (
	schemaDir  = "../../schema"
	schemaBase = "https://github.com/openshell-contrib/supctl/schema/"
)

// compileSchemas compiles every schema of schema/, each registered under
// its $id, so that their references to each other resolve without any
// network; formats (date-time) are asserted.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(schemaDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s: %v", schemaDir, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if want := schemaBase + filepath.Base(f); id != want {
			t.Fatalf("%s: $id %q, want %q", f, id, want)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		s, err := c.Compile(schemaBase + filepath.Base(f))
		if err != nil {
			t.Fatalf("%s does not compile: %v", f, err)
		}
		out[filepath.Base(f)] = s
	}
	return out
}

func validate(s *jsonschema.Schema, doc string) error {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// TestJSONSchemas: every --json document the commands print, on success
// and on failure, validates against its published schema, and every schema
// is exercised.
func TestJSONSchemas(t *testing.T) {
	schemas := compileSchemas(t)
	isolate(t)
	reg := registrytest.NewInProcess(t)
	b, ref := pushFixture(t, reg, "sup:dev", fixture.Options{})
	single := reg.Host() + "/single:dev" // a single manifest: index_digest ""
	if err := fixture.PushImage(context.Background(), single, b.Images["linux/"+runtime.GOARCH].Image); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	_, pulled, _ := supctl(t, "pull", ref)
	file := filepath.Join(t.TempDir(), "openshell-sandbox")
	if b, err := os.ReadFile(strings.TrimSpace(pulled)); err != nil || os.WriteFile(file, b, 0o755) != nil {
		t.Fatalf("copying the pulled binary: %v", err)
	}
	cacheDir := os.Getenv("SUPCTL_CACHE_DIR")
	gw, _ := schemaGateway(t, cacheDir, file)
	// A registry refusing the credentials: 403 to every manifest request.
	denied := registrytest.NewFault(t, reg.URL(), reg.Transport()).On(registrytest.Manifests(""), 0, registrytest.Status(http.StatusForbidden))

	tests := []struct {
		schema string
		args   []string
		code   int
		env    map[string]string // the gateway's home, when set
		before func()            // prepares the cache
		want   string            // what the document must show
	}{
		{schema: "version.json", args: []string{"version"}},
		{schema: "pull.json", args: []string{"pull", ref}},
		{schema: "pull.json", args: []string{"pull", single}},
		{schema: "pull.json", args: []string{"pull", ref, "--compat", ">=9.0.0"}, code: 3},
		{schema: "pull.json", args: []string{"pull", reg.Host() + "/sup:nope"}, code: 4},
		{schema: "pull.json", args: []string{"pull", ref, "--nope"}, code: 2},
		{schema: "pull.json", args: []string{"pull", denied.Host() + "/sup:dev"}, code: 1, want: `"kind":"denied"`},
		{schema: "pull.json", args: []string{"pull", ref, "--compat", ">=0.0.1", "--link", "gw"}, want: `"switched":true`},
		{schema: "link.json", args: []string{"link", "gw"}, want: `"target":"/`},
		{schema: "link.json", args: []string{"link", "nope"}, code: 4},
		{schema: "pin.json", args: []string{"pin", ref, "--compat", ">=0.0.1"}},
		{schema: "pin.json", args: []string{"pin", ref, "--compat", ">=9.0.0"}, code: 3},
		{schema: "ls.json", args: []string{"ls"}},
		{schema: "ls.json", args: []string{"ls", "--cache-dir", empty}},
		{schema: "inspect.json", args: []string{"inspect", ref, "--compat", ">=0.0.1"}},
		{schema: "inspect.json", args: []string{"inspect", file}},
		{schema: "inspect.json", args: []string{"inspect", file, "--compat", ">=9.0.0"}, code: 3},
		{schema: "verify.json", args: []string{"verify"}, before: func() { leaveTmpEntry(t, cacheDir) }, want: `"what":"temporary entry"`},
		{schema: "gc.json", args: []string{"gc", "--dry-run"}, want: `"what":"temporary entry"`},
		{schema: "gc.json", args: []string{"gc", "--max-unused", "0s"}},
		{schema: "verify.json", args: []string{"verify"}},
		{schema: "doctor.json", args: []string{"doctor", "--cache-dir", cacheDir, "--engine", "none", ref}, want: `"links":[{`},
		{schema: "doctor.json", args: []string{"doctor", "--cache-dir", cacheDir, ref, "--compat", ">=9.0.0"}, code: 3},
		{schema: "doctor.json", args: []string{"doctor", "--cache-dir", cacheDir, "--engine", "none"}, env: gw, want: `"protocol_heuristic":{`},
		{schema: "ls-gateway.json", args: []string{"ls", "--gateway-extractions"}, env: gw, want: `"image_id":"sha256:`},
		{schema: "ls-gateway.json", args: []string{"ls", "--gateway-extractions"}, env: map[string]string{"XDG_DATA_HOME": empty}, want: "[]"},
		{schema: "gc-gateway.json", args: []string{"gc", "--gateway-extractions", "--dry-run"}, env: gw, want: `"removed":[{`},
		{schema: "gc-gateway.json", args: []string{"gc", "--gateway-extractions"}, env: gw, want: `"removed":[{`},
		{schema: "error.json", args: []string{"pul"}, code: 2},
	}
	used := map[string]bool{}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			setEnv(t, tc.env)
			if tc.before != nil {
				tc.before()
			}
			code, out, errOut := supctl(t, append([]string{"--json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s\n%s", code, tc.code, errOut, out)
			}
			used[tc.schema] = true
			if err := validate(schemas[tc.schema], out); err != nil {
				t.Fatalf("the document does not validate against schema/%s: %v\n%s", tc.schema, err, out)
			}
			if !strings.Contains(compact(out), tc.want) {
				t.Fatalf("the document does not show %s:\n%s", tc.want, out)
			}
			if tc.code != 0 && tc.schema != "doctor.json" {
				// A failure's document also has the error member error.json
				// describes.
				var doc map[string]json.RawMessage
				if err := json.Unmarshal([]byte(out), &doc); err != nil || validate(schemas["error.json"], `{"error":`+string(doc["error"])+`}`) != nil {
					t.Fatalf("no error member as error.json describes it: %s", out)
				}
			}
		})
	}
	// A damaged entry: verify's report with its error member (exit 6), a
	// problem of the entry and one of the link that names it; link's
	// document with its problem and error member.
	if err := os.WriteFile(strings.TrimSpace(pulled), []byte("not the binary"), 0o555); err != nil {
		t.Fatal(err)
	}
	code, out, _ := supctl(t, "--json", "verify")
	if err := validate(schemas["verify.json"], out); code != 6 || err != nil || !strings.Contains(out, `"error"`) || !strings.Contains(compact(out), `"kind":"link"`) {
		t.Fatalf("verify of a damaged cache: exit %d, %v\n%s", code, err, out)
	}
	code, out, _ = supctl(t, "--json", "link", "gw")
	if err := validate(schemas["link.json"], out); code != 6 || err != nil || !strings.Contains(out, `"error"`) || !strings.Contains(out, `"problem"`) {
		t.Fatalf("link to a damaged entry: exit %d, %v\n%s", code, err, out)
	}
	// "supctl help json" points at every schema.
	_, help, _ := supctl(t, "help", "json")
	named := map[string]bool{}
	for _, w := range strings.FieldsFunc(help, func(r rune) bool { return strings.ContainsRune(" \n,()", r) }) {
		named[w] = true
	}
	for name := range schemas {
		if !used[name] {
			t.Errorf("schema/%s is checked against no real output", name)
		}
		if !named[name] {
			t.Errorf("supctl help json does not name schema/%s", name)
		}
	}
}

// TestJSONSchemasReject: the schemas are not vacuous: a real document with
// a required member removed, or of the wrong type, is rejected.
func TestJSONSchemasReject(t *testing.T) {
	schemas := compileSchemas(t)
	isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "sup:dev", fixture.Options{})
	docs := map[string]string{}
	for _, c := range [][]string{{"pull", ref}, {"pin", ref}, {"ls"}, {"gc", "--dry-run"}, {"verify"}, {"inspect", ref}, {"version"}, {"pull", ref, "--compat", ">=9.0.0"}} {
		_, out, _ := supctl(t, append([]string{"--json"}, c...)...)
		docs[c[0]+map[bool]string{true: "-error"}[slices.Contains(c, "--compat")]] = out
	}
	cacheDir := os.Getenv("SUPCTL_CACHE_DIR")
	_, out, _ := supctl(t, "--json", "doctor", "--cache-dir", cacheDir, "--engine", "none")
	docs["doctor"] = out
	_, docs["pull-link"], _ = supctl(t, "--json", "pull", ref, "--compat", ">=0.0.1", "--link", "gw")
	_, docs["link"], _ = supctl(t, "--json", "link", "gw")
	leaveTmpEntry(t, cacheDir)
	_, docs["verify-leftover"], _ = supctl(t, "--json", "verify")
	_, pulled, _ := supctl(t, "pull", ref)
	gw, _ := schemaGateway(t, cacheDir, strings.TrimSpace(pulled))
	setEnv(t, gw)
	_, docs["doctor-gateway"], _ = supctl(t, "--json", "doctor", "--cache-dir", cacheDir, "--engine", "none")
	_, docs["ls-gateway"], _ = supctl(t, "--json", "ls", "--gateway-extractions")
	_, docs["gc-gateway"], _ = supctl(t, "--json", "gc", "--gateway-extractions", "--dry-run")

	tests := []struct {
		name, schema, doc string
		edit              func(any) any
	}{
		{"pull without path", "pull.json", "pull", del("path")},
		{"pull with a string size", "pull.json", "pull", set("size", "1 MiB")},
		{"pull with a bad digest", "pull.json", "pull", set("digest", "sha256:abc")},
		{"pull: a version with source unknown", "pull.json", "pull", set("version_source", "unknown")},
		{"pull: a bad date", "pull.json", "pull", set("checked_at", "yesterday")},
		{"pin without image", "pin.json", "pin", del("image")},
		{"ls entry without version", "ls.json", "ls", func(v any) any { del("version")(v.([]any)[0]); return v }},
		{"gc without kept", "gc.json", "gc", del("kept")},
		{"verify with a string count", "verify.json", "verify", set("entries", "2")},
		{"inspect without verdict", "inspect.json", "inspect", del("verdict")},
		{"version without go", "version.json", "version", del("go")},
		{"doctor without engine", "doctor.json", "doctor", del("engine")},
		{"doctor without links", "doctor.json", "doctor", del("links")},
		{"verify without leftovers", "verify.json", "verify-leftover", del("leftovers")},
		{"verify: a leftover without what", "verify.json", "verify-leftover", at(del("what"), "leftovers", 0)},
		{"verify: a leftover with a string age", "verify.json", "verify-leftover", at(set("age_seconds", "1s"), "leftovers", 0)},
		{"pull --link without switched", "pull.json", "pull-link", del("switched")},
		{"pull --link: a link without path", "pull.json", "pull-link", at(del("path"), "link")},
		{"link without name", "link.json", "link", del("name")},
		{"link with a bad digest", "link.json", "link", set("digest", "sha256:abc")},
		{"doctor: a gateway without found", "doctor.json", "doctor-gateway", at(del("found"), "gateway")},
		{"doctor: a gateway without jwt", "doctor.json", "doctor-gateway", at(del("jwt"), "gateway")},
		{"doctor: a gateway without range_derived", "doctor.json", "doctor-gateway", at(del("range_derived"), "gateway")},
		{"doctor: a gateway's supervisor without verdict", "doctor.json", "doctor-gateway", at(del("verdict"), "gateway", "supervisor")},
		{"doctor: a gateway's extraction without version", "doctor.json", "doctor-gateway", at(del("version"), "gateway", "extractions", 0)},
		{"doctor: a gateway's extraction without image_id", "doctor.json", "doctor-gateway", at(del("image_id"), "gateway", "extractions", 0)},
		{"doctor: a protocol heuristic without token_file", "doctor.json", "doctor-gateway", at(del("token_file"), "gateway", "protocol_heuristic")},
		{"doctor: a link without path", "doctor.json", "doctor-gateway", at(del("path"), "links", 0)},
		{"ls --gateway-extractions without image_id", "ls-gateway.json", "ls-gateway", at(del("image_id"), 0)},
		{"ls --gateway-extractions: a bad mtime", "ls-gateway.json", "ls-gateway", at(set("mtime", "yesterday"), 0)},
		{"gc --gateway-extractions without dir", "gc-gateway.json", "gc-gateway", del("dir")},
		{"gc --gateway-extractions: an extraction without path", "gc-gateway.json", "gc-gateway", at(del("path"), "removed", 0)},
		{"error of an unknown kind", "error.json", "pull-error", func(v any) any { set("kind", "oops")(v.(map[string]any)["error"]); return v }},
		{"error without exit code", "pull.json", "pull-error", func(v any) any { del("exit_code")(v.(map[string]any)["error"]); return v }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(docs[tc.doc]), &v); err != nil {
				t.Fatalf("%s: %v\n%s", tc.doc, err, docs[tc.doc])
			}
			if err := validate(schemas[tc.schema], docs[tc.doc]); err != nil {
				t.Fatalf("the real document does not validate: %v", err)
			}
			b, _ := json.Marshal(tc.edit(v))
			if err := validate(schemas[tc.schema], string(b)); err == nil {
				t.Fatalf("schema/%s accepts %s", tc.schema, b)
			}
		})
	}
}

// at applies edit to the member path names (object keys and array
// indexes) in the document.
func at(edit func(any) any, path ...any) func(any) any {
	return func(v any) any {
		x := v
		for _, p := range path {
			switch k := p.(type) {
			case string:
				x = x.(map[string]any)[k]
			case int:
				x = x.([]any)[k]
			}
		}
		edit(x)
		return v
	}
}

func del(k string) func(any) any {
	return func(v any) any { delete(v.(map[string]any), k); return v }
}

func set(k string, x any) func(any) any {
	return func(v any) any { v.(map[string]any)[k] = x; return v }
}

// compact is the document without its indentation.
func compact(doc string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(doc)) != nil {
		return doc
	}
	return b.String()
}
