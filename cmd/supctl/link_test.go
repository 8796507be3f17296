package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestGoldenLink pins what an operator sees of a link: created by a pull
// under a range, printed as the gateway's table, left alone by a refused
// pull, kept by gc, and reported by verify and link once its entry is gone.
func TestGoldenLink(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	amd := []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	build := t.TempDir()
	_, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Platforms: amd, BuildDir: build, Version: "0.0.47-dev.13"})
	const rng = ">=0.0.47-0 <0.0.48-0"
	pull := func(extra ...string) []string {
		return append([]string{"pull", ref, "--platform", "linux/amd64", "--pull", "always", "--compat", rng}, extra...)
	}
	lines := [][]string{
		{"pull", ref, "--link", "gateway"},
		{"pull", ref, "--compat", rng, "--link", "Gateway"},
		pull("--link", "gateway"),
		{"link", "gateway"},
		{"link", "gateway", "--format", "path"},
		{"--json", "link", "gateway"},
		{"link", "other"},
	}
	got := transcript(t, lines, map[string]string{reg.Host(): "REGISTRY", dir: "CACHE"})
	// The tag moves out of the range: the pull is refused, the link stays.
	pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Platforms: amd, BuildDir: build, Version: "0.0.48"})
	got += transcript(t, [][]string{pull("--link", "gateway"), {"link", "gateway", "--format", "path"}},
		map[string]string{reg.Host(): "REGISTRY", dir: "CACHE"})
	// Back in range: switched; gc keeps both binaries the link named.
	pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Platforms: amd, BuildDir: build, Version: "0.0.47-dev.20"})
	got += transcript(t, [][]string{pull("--link", "gateway"), {"link", "gateway"}, {"gc", "--max-unused", "0"}, {"verify"}},
		map[string]string{reg.Host(): "REGISTRY", dir: "CACHE"})
	// The entry it names is removed behind supctl's back.
	target, err := filepath.EvalSymlinks(filepath.Join(dir, "links", "gateway"))
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(target), 0o755)
	if err := os.RemoveAll(filepath.Dir(target)); err != nil {
		t.Fatal(err)
	}
	got += transcript(t, [][]string{{"verify"}, {"link", "gateway"}}, map[string]string{reg.Host(): "REGISTRY", dir: "CACHE"})
	// What gc prints of an entry depends on the toolchain that built the
	// fixture (its digest and size) and on the clock.
	for re, to := range map[string]string{`last used [0-9-]+ [0-9:]+`: "last used TIME", `sha256:[0-9a-f]{12} `: "sha256:SHORT ",
		`\(\d+(\.\d+)? [KM]iB`: "(SIZE", `\d+ bytes`: "N bytes"} {
		got = regexp.MustCompile(re).ReplaceAllString(got, to)
	}
	golden(t, "link.txt", got)
}
