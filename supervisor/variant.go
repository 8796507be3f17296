package supervisor

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// variantRunsHere reports whether a binary for arch and variant surely runs
// on this host, whose architecture is arch and whose CPU level is at least
// level (see hostLevel). An empty variant always runs; so does a variant
// the host's level covers: "v1" to "v4" on amd64, "v5" to "v7" on arm,
// "v8" on arm64. Anything else is not sure.
func variantRunsHere(arch, variant string, level int) bool {
	if variant == "" {
		return true
	}
	n, ok := variantLevel(variant)
	if !ok {
		return false
	}
	switch arch {
	case "amd64", "arm":
		return n <= level
	case "arm64":
		return n == 8
	}
	return false
}

// variantLevel parses "vN".
func variantLevel(v string) (int, bool) {
	s, ok := strings.CutPrefix(v, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// hostLevel returns the CPU level this program was built for (GOAMD64 or
// GOARM): since this program runs, the host's CPU has at least that level.
// It returns 1 (amd64) or 5 (arm) if the build information does not say,
// and 0 on other architectures.
var hostLevel = sync.OnceValue(func() int {
	var level int
	var key string
	switch runtime.GOARCH {
	case "amd64":
		level, key = 1, "GOAMD64"
	case "arm":
		level, key = 5, "GOARM"
	default:
		return 0
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return level
	}
	for _, s := range bi.Settings {
		if s.Key != key {
			continue
		}
		v := strings.TrimPrefix(s.Value, "v")
		v, _, _ = strings.Cut(v, ",") // GOARM may read "7,softfloat"
		if n, err := strconv.Atoi(v); err == nil && n > level {
			level = n
		}
	}
	return level
})
