package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestDoctorCacheDirFromEnv: doctor examines the cache SUPCTL_CACHE_DIR
// names, as every other command does, not the XDG default.
func TestDoctorCacheDirFromEnv(t *testing.T) {
	isolate(t)
	a, b := filepath.Join(t.TempDir(), "a"), t.TempDir()
	t.Setenv("SUPCTL_CACHE_DIR", a)
	t.Setenv("XDG_DATA_HOME", b)
	_, out, errOut := supctl(t, "doctor", "--json", "--engine", "none")
	var rep struct{ Cache struct{ Dir string } }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s%s", err, out, errOut)
	}
	if rep.Cache.Dir != a {
		t.Fatalf("doctor examined %q, want SUPCTL_CACHE_DIR %q", rep.Cache.Dir, a)
	}
	// The flag wins over the variable.
	c := filepath.Join(t.TempDir(), "c")
	_, out, _ = supctl(t, "doctor", "--json", "--engine", "none", "--cache-dir", c)
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Cache.Dir != c {
		t.Fatalf("--cache-dir: %q, %v", rep.Cache.Dir, err)
	}
}
