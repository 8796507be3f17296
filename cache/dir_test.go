package cache_test

import (
	"errors"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
)

// TestResolveDir: flag, then SUPCTL_CACHE_DIR, then XDG_DATA_HOME, then ~.
func TestResolveDir(t *testing.T) {
	tests := []struct {
		name, flag, env, xdg, home, want string
		err                              error
	}{
		{"flag wins", "/f", "/e", "/x", "/h", "/f", nil},
		{"env", "", "/e", "/x", "/h", "/e", nil},
		{"xdg", "", "", "/x", "/h", "/x/openshell/docker-supervisor", nil},
		{"home", "", "", "", "/h", "/h/.local/share/openshell/docker-supervisor", nil},
		{"relative xdg is ignored", "", "", "rel", "/h", "/h/.local/share/openshell/docker-supervisor", nil},
		{"~ in the flag", "~/c", "", "", "/h", "/h/c", nil},
		{"~ in the env", "", "~/c", "", "/h", "/h/c", nil},
		{"unknown user", "~nosuchuser-supctl/c", "", "", "/h", "", cache.ErrBadDir},
		{"relative home", "~/c", "", "", "rel", "", cache.ErrBadDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SUPCTL_CACHE_DIR", tt.env)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			got, err := cache.ResolveDir(tt.flag)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ResolveDir(%q) = %q, %v; want %q, %v", tt.flag, got, err, tt.want, tt.err)
			}
		})
	}
}
