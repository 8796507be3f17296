package main

import (
	"strings"
	"testing"
)

// complete runs cobra's hidden completion command and returns the
// candidates and the directive number.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errOut := supctl(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d %s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	isolate(t)
	const noFile, dirs, files = ":4", ":16", ":0"
	tests := []struct {
		args      []string
		want      string // candidates, space-separated
		directive string
	}{
		{[]string{"pull", "--pull", ""}, "always if-stale never", noFile},
		{[]string{"pin", "x", "--format", ""}, "ref json toml", noFile},
		{[]string{"ls", "--log-level", ""}, "debug info warn error", noFile},
		{[]string{"pull", "x", "--log-format", ""}, "text json", noFile},
		{[]string{"pull", "x", "--platform", "linux/a"}, "linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64", noFile},
		{[]string{"pin", "x", "--platform", "linux/amd64,"}, "linux/amd64,linux/amd64 linux/amd64,linux/arm64 linux/amd64,linux/arm/v7 linux/amd64,linux/386 linux/amd64,linux/ppc64le linux/amd64,linux/s390x linux/amd64,linux/riscv64", ":6"},
		{[]string{"pull", "--engine", ""}, "docker podman", noFile},
		{[]string{"pull", "x", "--compat", ""}, "", noFile},
		{[]string{"pull", "x", "--max-age", ""}, "", noFile},
		{[]string{"gc", "--max-unused", ""}, "", noFile},
		{[]string{"pull", ""}, "", noFile},
		{[]string{"pin", ""}, "", noFile},
		{[]string{"ls", "--cache-dir", ""}, "", dirs},
		{[]string{"inspect", ""}, "", files},
	}
	for _, tc := range tests {
		got, dir := complete(t, tc.args...)
		if strings.Join(got, " ") != tc.want || dir != tc.directive {
			t.Errorf("complete %q = %q %s, want %q %s", tc.args, got, dir, tc.want, tc.directive)
		}
	}
}
