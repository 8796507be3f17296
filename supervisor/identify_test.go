package supervisor

import (
	"github.com/openshell-contrib/supctl/internal/fixture"

	"context"
	"crypto/sha256"
	"errors"
	"os"
	"testing"

	"github.com/opencontainers/go-digest"
)

func TestIdentify(t *testing.T) {
	t.Parallel()
	fixture.ForeignUnrunnable(t, foreignArch())
	native := fakeSupervisor(t, runtimeArch(), testVersion)
	foreign := fakeSupervisor(t, foreignArch(), foreignVersion)
	tests := []struct {
		name string
		b    Binary
		want Version
	}{
		// BuildInfo answers before ELFString on a binary this host cannot run ...
		{"foreign", Binary{Path: foreign, Platform: linuxPlatform(foreignArch())}, Version{foreignVersion, MethodBuildInfo}},
		// ... and Run first on one it can (skipped on hosts that are not Linux).
		{"native", Binary{Path: native, Platform: linuxPlatform(runtimeArch())}, Version{testVersion, MethodRun}},
	}
	for _, tt := range tests {
		if tt.b.Platform.Architecture == runtimeArch() {
			needHost(t)
		}
		info, err := Identify(context.Background(), tt.b)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		data, err := os.ReadFile(tt.b.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		want := Identity{
			Path: tt.b.Path, Size: int64(len(data)), SHA256: digest.NewDigestFromBytes(digest.SHA256, sum[:]),
			Version: tt.want, Platform: tt.b.Platform,
		}
		if info.Path != want.Path || info.Size != want.Size || info.SHA256 != want.SHA256 ||
			info.Version != want.Version || !info.Platform.Equals(want.Platform) {
			t.Errorf("%s: Identify = %+v, want %+v", tt.name, info, want)
		}
	}
}

func TestIdentifyProbers(t *testing.T) {
	t.Parallel()
	b := Binary{Path: writeFile(t, fakeELF(rodata(decoys+"\x00openshell-sandbox "+testVersion+"\x00"))), Platform: linuxPlatform("amd64")}
	info, err := Identify(context.Background(), b, ELFString())
	if want := (Version{testVersion, MethodELFString}); err != nil || info.Version != want {
		t.Errorf("Identify(ELFString) = %+v, %v; want version %+v", info, err, want)
	}
	info, err = Identify(context.Background(), Binary{Path: writeFile(t, fakeELF(rodata(decoys))), Platform: linuxPlatform("amd64")})
	if err != nil || info.Version != unknown || info.Size == 0 {
		t.Errorf("Identify(no version) = %+v, %v; want an unknown version and no error", info, err)
	}
}

func TestIdentifyErrors(t *testing.T) {
	t.Parallel()
	foreign := fakeSupervisor(t, foreignArch(), foreignVersion)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		b    Binary
		want error
	}{
		{"wrong machine", context.Background(), Binary{Path: foreign, Platform: linuxPlatform(runtimeArch())}, ErrWrongMachine},
		{"not ELF", context.Background(), Binary{Path: writeFile(t, []byte("#!/bin/sh\n")), Platform: linuxPlatform("amd64")}, ErrNotELF},
		{"directory", context.Background(), Binary{Path: t.TempDir(), Platform: linuxPlatform("amd64")}, nil},
		{"missing", context.Background(), Binary{Path: foreign + ".missing", Platform: linuxPlatform(foreignArch())}, os.ErrNotExist},
		{"cancelled", cancelled, Binary{Path: foreign, Platform: linuxPlatform(foreignArch())}, context.Canceled},
	}
	for _, tt := range tests {
		info, err := Identify(tt.ctx, tt.b)
		if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: Identify = %+v, %v; want error %v", tt.name, info, err, tt.want)
		}
	}
}
