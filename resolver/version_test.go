package resolver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestVersions checks the recorded version of images not seen before, on
// both platforms: this host runs its own platform's binary and reads the
// other's.
func TestVersions(t *testing.T) {
	fixture.OtherPlatformUnrunnable(t) // expects it not to run here
	e := newEnv(t)
	ctx := context.Background()
	rng := compat.MustParse(">=0.0.47-0 <0.1.0")
	host, other := fixture.HostPlatform(), fixture.OtherPlatform()
	tests := []struct {
		version, platform, wantVersion, wantSource string
		inRange                                    bool
	}{
		{"0.0.47-dev.12", host, "0.0.47-dev.12", "run", true},
		{"0.0.47-dev.12", other, "0.0.47-dev.12", "elf-string", true},
		{"0.0.37-dev.160", other, "0.0.37-dev.160", "elf-string", false},
		{"0.1.0", host, "0.1.0", "run", false},
		{"v0.0.50+build.7", other, "v0.0.50+build.7", "elf-string", true},
		{fixture.NoVersion, host, "", "unknown", false},
		{fixture.NoVersion, other, "", "unknown", false},
	}
	for i, tc := range tests {
		t.Run(tc.version+"/"+tc.platform, func(t *testing.T) {
			_, ref := e.push(t, "v:"+string(rune('a'+i)), fixture.Options{Version: tc.version})
			res, err := e.resolver(t, resolver.WithPlatform(tc.platform)).Resolve(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if res.Version != tc.wantVersion || res.VersionSource != tc.wantSource {
				t.Fatalf("version %q from %q, want %q from %q", res.Version, res.VersionSource, tc.wantVersion, tc.wantSource)
			}
			_, err = e.resolver(t, resolver.WithPlatform(tc.platform), resolver.WithRange(rng)).Resolve(ctx, ref)
			var ie *resolver.IncompatibleError
			switch {
			case tc.inRange && err != nil:
				t.Fatalf("in range, got %v", err)
			case !tc.inRange && (!errors.As(err, &ie) || !errors.Is(err, resolver.ErrIncompatible) || ie.Version != tc.wantVersion || ie.Range != rng.String()):
				t.Fatalf("out of range or unknown, got %v", err)
			}
		})
	}
}
