package supervisor

import (
	"context"
	"errors"
	"runtime/debug"
	"slices"
	"testing"
)

func TestBuildInfoProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arch, version string
	}{
		{foreignArch(), foreignVersion}, // never run: read from the file
		{runtimeArch(), testVersion},
	}
	for _, tt := range tests {
		b := Binary{Path: fakeSupervisor(t, tt.arch, tt.version), Platform: linuxPlatform(tt.arch)}
		got, err := BuildInfo().Probe(context.Background(), b)
		if want := (Version{tt.version, MethodBuildInfo}); err != nil || got != want {
			t.Errorf("%s: Probe = %+v, %v; want %+v", tt.arch, got, err, want)
		}
	}
}

func TestBuildInfoNotGo(t *testing.T) {
	for name, data := range map[string][]byte{
		"rust-like ELF": fakeELF(rodata("openshell-sandbox 0.0.47\n")),
		"text":          []byte("hello"),
	} {
		_, err := BuildInfo().Probe(context.Background(), Binary{Path: writeFile(t, data)})
		if !errors.Is(err, ErrNotApplicable) {
			t.Errorf("%s: Probe error = %v, want ErrNotApplicable", name, err)
		}
	}
}

func TestBuildInfoVersion(t *testing.T) {
	bi := func(mod, ldflags string) *debug.BuildInfo {
		b := &debug.BuildInfo{Main: debug.Module{Path: "example.com/sup", Version: mod}}
		if ldflags != "" {
			b.Settings = []debug.BuildSetting{{Key: "-ldflags", Value: ldflags}}
		}
		return b
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string // "" means not sure
	}{
		{"ldflags", bi("(devel)", "-X main.version=0.0.47-dev.13+g57b71c68f"), "0.0.47-dev.13+g57b71c68f"},
		{"ldflags with v", bi("(devel)", "-X main.version=v0.0.47"), "v0.0.47"},
		{"module", bi("v0.0.47", ""), "v0.0.47"},
		{"module and ldflags agree", bi("v0.0.47+dirty", "-s -w -X main.version=0.0.47"), "0.0.47"},
		{"module and ldflags differ", bi("v0.0.46", "-X main.version=0.0.47"), ""},
		{"devel", bi("(devel)", ""), ""},
		{"empty", bi("", ""), ""},
		{"pseudo-version", bi("v0.0.0-20240101120000-abcdefabcdef", ""), ""},
		{"shorthand module version", bi("v1.2", ""), ""},
		{"ldflags version not semver", bi("v0.0.47", "-X main.version=dev"), ""},
		{"ldflags other variable", bi("(devel)", "-X main.commit=abc -X main.versionString=1.0.0"), ""},
		{"ldflags two versions", bi("(devel)", "-X main.version=1.0.0 -X example.com/sup/internal/build.Version=1.0.1"), ""},
		{"ldflags same version twice", bi("(devel)", "-X main.version=1.0.0 -X pkg.Version=1.0.0"), "1.0.0"},
		{"ldflags -X=", bi("(devel)", "-X=main.version=1.0.0"), "1.0.0"},
		{"ldflags --X", bi("(devel)", "--X main.version=1.0.0"), "1.0.0"},
		{"ldflags --X=", bi("(devel)", "--X=main.version=1.0.0"), "1.0.0"},
		{"ldflags quoted", bi("(devel)", `-s "-X" 'main.version=1.0.0' -extldflags "-static -v"`), "1.0.0"},
		{"ldflags per package", bi("(devel)", "all=-X main.version=1.0.0"), "1.0.0"},
		{"ldflags unterminated quote", bi("(devel)", `-X 'main.version=1.0.0`), ""},
		{"ldflags -X at the end", bi("(devel)", "-X"), ""},
		{"ldflags no package", bi("(devel)", "-X version=1.0.0"), ""},
	}
	for _, tt := range tests {
		got, err := buildInfoVersion(tt.bi)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: buildInfoVersion = %q, want an error", tt.name, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: buildInfoVersion = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSplitQuoted(t *testing.T) {
	got, err := splitQuoted(` -a  'b c' "d'e"f	g` + "\n")
	want := []string{"-a", "b c", "d'e", "f", "g"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("splitQuoted = %q, %v; want %q", got, err, want)
	}
}
