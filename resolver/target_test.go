package resolver_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/openshell-contrib/supctl/resolver"
)

// The rule that tells a local path from an image reference, and the
// targets that are neither.
func TestInspectTargets(t *testing.T) {
	e := newEnv(t)
	r := e.resolver(t)
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("openshell-sandbox", []byte("x"), 0o755)
	os.Mkdir("sub", 0o755)
	os.WriteFile("sub/bin", []byte("x"), 0o755)
	os.WriteFile("Not_A_Ref", []byte("x"), 0o755)
	for _, tc := range []struct {
		target string
		path   bool
	}{
		{"/abs/missing", true},
		{"./missing", true},
		{"../missing", true},
		{".hidden", true},
		{filepath.Join(dir, "openshell-sandbox"), true},
		{"sub/bin", true},            // exists, contains "/"
		{"sub", false},               // a valid reference; write ./sub
		{"openshell-sandbox", false}, // a valid reference; write ./openshell-sandbox
		{"Not_A_Ref", true},          // exists and is no reference
		{"ghcr.io/x/y:dev", false},
		{"sub/missing", false}, // a valid reference
	} {
		if got := r.IsPath(tc.target); got != tc.path {
			t.Errorf("IsPath(%q) = %v, want %v", tc.target, got, tc.path)
		}
	}
	for _, target := range []string{"./missing", "/abs/missing", "No_Such_Thing!"} {
		_, err := r.Inspect(context.Background(), target)
		if !errors.Is(err, resolver.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Inspect(%q): %v, want not found", target, err)
		}
	}
	if _, err := r.Inspect(context.Background(), "./sub"); !errors.Is(err, resolver.ErrRefused) {
		t.Errorf("Inspect of a directory: %v, want ErrRefused", err)
	}
}
