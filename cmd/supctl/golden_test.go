package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// transcript runs each command line and writes what an operator sees:
// the command, stdout, stderr and the exit code. replace maps text that
// changes between runs (ports, temporary paths) to a placeholder.
func transcript(t *testing.T, lines [][]string, replace map[string]string) string {
	t.Helper()
	digests := regexp.MustCompile(`sha256([:-])[0-9a-f]{64}`)
	times := regexp.MustCompile(`"time":"[^"]*"`)
	var b strings.Builder
	for _, args := range lines {
		code, out, errOut := supctl(t, args...)
		fmt.Fprintf(&b, "$ supctl %s\n%s%s[exit %d]\n\n", strings.Join(quoteArgs(args), " "), out, errOut, code)
	}
	s := b.String()
	for from, to := range replace {
		s = strings.ReplaceAll(s, from, to)
	}
	s = times.ReplaceAllString(s, `"time":"TIME"`)
	return digests.ReplaceAllString(s, "sha256${1}DIGEST")
}

func quoteArgs(args []string) []string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if a == "" || strings.ContainsAny(a, " <>*&|;'\"") {
			q[i] = "'" + a + "'"
		}
	}
	return q
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/supctl -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the transcript (run go test ./cmd/supctl -run %s -update if the change is meant):\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}

// TestGoldenHelp pins every command's help text.
func TestGoldenHelp(t *testing.T) {
	isolate(t)
	for _, cmd := range []string{"", "pull", "pin", "inspect", "ls", "gc", "verify", "link", "version", "doctor", "json"} {
		name := cmd
		if name == "" {
			name = "supctl"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{"help"}
			if cmd != "" {
				args = append(args, cmd)
			}
			got := transcript(t, [][]string{args}, nil)
			if cmd != "json" && (!strings.Contains(got, "\nExamples:\n") || !strings.Contains(got, "\nExit codes:\n  0    success")) {
				t.Errorf("help lacks examples or exit codes:\n%s", got)
			}
			golden(t, "help/"+name+".txt", got)
		})
	}
}

// TestGoldenErrors pins the messages and exit codes of common mistakes and
// failures, in plain text, --json and --log-format json.
func TestGoldenErrors(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	amd := []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	_, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Platforms: amd})
	_, script := pushFixture(t, reg, "openshell/supervisor:script", fixture.Options{Hostile: fixture.HostileScript, Platforms: amd})
	host := reg.Host()
	lines := [][]string{
		{"pul", ref},
		{"pull"},
		{"pull", ref, "--nope"},
		{"pull", ref, "--platform", "linux"},
		{"pull", ref, "--platform", "linux/amd64,linux/arm64"},
		{"pin", ref, "--platform", "BAD"},
		{"pull", ref, "--pull", "sometimes"},
		{"pull", ref, "--compat", ">=0.x"},
		{"pull", ref, "--max-age", "1y"},
		{"pull", "https://" + ref},
		{"pull", "Not A Ref"},
		{"--json", "pin", ref, "--format", "toml"},
		{"pull", ref, "--pull", "never", "--platform", "linux/amd64"},
		{"pull", host + "/openshell/supervisor:nope"},
		{"pull", ref, "--platform", "linux/arm64"},
		{"pull", script, "--platform", "linux/amd64"},
		{"pull", ref, "--platform", "linux/amd64", "--compat", ">=9.0.0"},
		{"--json", "pull", ref, "--platform", "linux/amd64", "--compat", ">=9.0.0"},
		{"--log-format", "json", "pull", ref, "--platform", "linux/arm64"},
		{"inspect", "/no/such/openshell-sandbox"},
		{"gc", "--max-unused", "-1d"},
	}
	golden(t, "errors.txt", transcript(t, lines, map[string]string{host: "REGISTRY", dir: "CACHE"}))
}
