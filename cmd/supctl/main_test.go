package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/proctest"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// The test binary doubles as supctl when this variable is set, so tests can
// run it as separate processes.
const asSupctl = "SUPCTL_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asSupctl) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// isolate gives the test its own cache and an empty Docker config.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("SUPCTL_CACHE_DIR", dir)
	return dir
}

// supctl runs the command in-process.
func supctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func pushFixture(t *testing.T, reg registrytest.Registry, repoTag string, o fixture.Options) (*fixture.Built, string) {
	t.Helper()
	b, err := fixture.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Host() + "/" + repoTag
	if err := fixture.Push(context.Background(), ref, b.Index); err != nil {
		t.Fatal(err)
	}
	return b, ref
}

func TestPullPrintsPathAndJSON(t *testing.T) {
	fixture.OtherPlatformUnrunnable(t) // expects it not to run here
	isolate(t)
	reg := registrytest.NewInProcess(t)
	b, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.13+g57b71c68f"})

	code, out, errOut := supctl(t, "pull", ref, "--platform", "linux/arm64")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	path := strings.TrimSuffix(out, "\n")
	if strings.Contains(path, "\n") || !filepath.IsAbs(path) {
		t.Fatalf("stdout %q is not one absolute path", out)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile(b.Binary("linux/arm64"))
	if !bytes.Equal(got, want) {
		t.Fatal("pulled binary differs from the image's")
	}

	code, out, _ = supctl(t, "--json", "pull", ref, "--platform", "linux/arm64")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&doc); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly one JSON document: %v\n%s", err, out)
	}
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantKeys := "binary_sha256 checked_at digest extracted index_digest path platform ref resolved_from size version version_source"
	if strings.Join(keys, " ") != wantKeys {
		t.Errorf("JSON keys %v, want %s", keys, wantKeys)
	}
	img := b.Images["linux/arm64"]
	md, _ := img.Image.Digest()
	id, _ := b.Index.Digest()
	checks := map[string]any{
		"ref": ref, "digest": md.String(), "index_digest": id.String(), "platform": "linux/arm64", "path": path,
		"version": "0.0.47-dev.13+g57b71c68f", "version_source": "elf-string", "binary_sha256": img.BinaryDigest.Hex,
		"size": float64(len(want)), "resolved_from": "cache", "extracted": false,
	}
	for k, v := range checks {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	if _, err := time.Parse(time.RFC3339, doc["checked_at"].(string)); err != nil {
		t.Errorf("checked_at: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "sup:dev", fixture.Options{Platforms: nil})
	_, amd := pushFixture(t, reg, "amd:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	_, gone := pushFixture(t, reg, "gone:dev", fixture.Options{Layout: fixture.WhiteoutOnTop})
	_, script := pushFixture(t, reg, "script:dev", fixture.Options{Hostile: fixture.HostileScript})
	down := registrytest.NewInProcess(t)
	down.Close()

	tests := []struct {
		name string
		args []string
		code int
		msg  string // in the one error line
	}{
		{"no args", []string{"pull"}, 2, "one image reference"},
		{"unknown flag", []string{"pull", ref, "--nope"}, 2, "unknown flag"},
		{"bad ref", []string{"pull", "Not A Ref"}, 2, "invalid image reference"},
		{"bad policy", []string{"pull", ref, "--pull", "sometimes"}, 2, "unknown pull policy"},
		{"bad platform", []string{"pull", ref, "--platform", "linux"}, 2, "OS/ARCH"},
		{"bad mirror", []string{"pull", ref, "--mirror", "nomirror"}, 2, "REGISTRY=MIRROR"},
		{"bad range", []string{"pull", ref, "--compat", ">=0.x"}, 2, "--compat"},
		{"bad log format", []string{"pull", ref, "--log-format", "xml"}, 2, "--log-format"},
		{"bad engine", []string{"pull", ref, "--engine", "lxc"}, 2, "--engine"},
		{"unknown tag", []string{"pull", reg.Host() + "/sup:nope"}, 4, "not found"},
		{"whiteout", []string{"pull", gone, "--platform", "linux/amd64"}, 4, "whiteout"},
		{"platform", []string{"pull", amd, "--platform", "linux/arm64"}, 4, "linux/amd64"},
		{"unreachable", []string{"pull", down.Host() + "/sup:dev"}, 5, "unreachable"},
		{"never", []string{"pull", ref, "--pull", "never"}, 5, "supctl pull"},
		{"not elf", []string{"pull", script, "--platform", "linux/amd64"}, 1, "ELF"},
		{"incompatible", []string{"pull", ref, "--compat", ">=9.0.0", "--platform", "linux/amd64"}, 3, "outside the required range"},
		{"ok", []string{"pull", ref, "--platform", "linux/amd64"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := supctl(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.code == 0 {
				return
			}
			if out != "" {
				t.Errorf("stdout on failure: %q", out)
			}
			if !strings.HasPrefix(errOut, "supctl: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.msg) {
				t.Errorf("stderr %q: want one line starting \"supctl: \" mentioning %q", errOut, tc.msg)
			}
		})
	}
}

// TestProcessesExtractOnce runs eight supctl processes on one uncached ref.
func TestProcessesExtractOnce(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	b, ref := pushFixture(t, reg, "sup:dev", fixture.Options{Size: 8 << 20})
	img := b.Images["linux/amd64"]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mark := reg.Mark()
	outs := proctest.Together(8, func(int) *exec.Cmd {
		return command(t, ctx, dir, "--json", "pull", ref, "--platform", "linux/amd64")
	})
	reg.Sync()
	path := proctest.OnePull(t, outs, registrytest.CountBlobGets(reg.Since(mark), img.Layers[img.BinaryLayer].String()))
	sameFile(t, path, img.Binary)
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	if err := fixture.SameFile(got, want); err != nil {
		t.Fatal(err)
	}
}
