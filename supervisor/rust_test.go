package supervisor

import (
	"context"
	"errors"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
)

// TestRustClapNoExec reads Rust/clap stand-ins without running them: clap
// assembles "openshell-sandbox <version>" at run time, so a build without
// the marker is unknown (never a version glued to its neighbours), and a
// build with it gives the marker's version; stripped or not, both
// architectures.
func TestRustClapNoExec(t *testing.T) {
	t.Parallel()
	for _, arch := range []string{"amd64", "arm64"} {
		fixture.SkipWithoutRust(t, arch)
		for _, o := range []fixture.RustOptions{
			{Arch: arch, Version: "0.0.47-dev.13+g57b71c68f"},
			{Arch: arch, Version: "0.0.47-dev.13+g57b71c68f", Unstripped: true},
			{Arch: arch, Version: "0.0.47", Marker: true},
			{Arch: arch, Version: "0.0.47", Marker: true, Unstripped: true},
		} {
			path, err := fixture.BuildRustSupervisor(context.Background(), t.TempDir(), o)
			if err != nil {
				t.Fatal(err)
			}
			b := Binary{Path: path, Platform: linuxPlatform(arch)}
			for _, p := range []Prober{ELFString(), BuildInfo()} {
				v, err := p.Probe(context.Background(), b)
				switch {
				case o.Marker && p == ELFString():
					if want := (Version{o.Version, MethodELFString}); err != nil || v != want {
						t.Errorf("%+v: %T = %+v, %v; want %+v", o, p, v, err, want)
					}
				case err == nil || v.Known() || !errors.Is(err, ErrUnknownVersion) && !errors.Is(err, ErrNotApplicable):
					t.Errorf("%+v: %T = %+v, %v; want unknown", o, p, v, err)
				}
			}
		}
	}
}

// TestRustClapRun learns the version of native Rust/clap stand-ins, several
// versions, stripped or not, by the confined run of the default probers.
func TestRustClapRun(t *testing.T) {
	t.Parallel()
	needHost(t)
	fixture.SkipWithoutRust(t, runtimeArch())
	for _, o := range []fixture.RustOptions{
		{Version: "0.0.47-dev.13+g57b71c68f"},
		{Version: "0.0.47-dev.13+g57b71c68f", Unstripped: true},
		{Version: "0.0.37-dev.160"},
		{Version: "v0.1.0"},
	} {
		o.Arch = runtimeArch()
		path, err := fixture.BuildRustSupervisor(context.Background(), t.TempDir(), o)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Detect(context.Background(), Binary{Path: path, Platform: linuxPlatform(o.Arch)})
		if want := (Version{o.Version, MethodRun}); err != nil || v != want {
			t.Errorf("%+v: Detect = %+v, %v; want %+v", o, v, err, want)
		}
	}
}
