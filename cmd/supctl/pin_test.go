package main

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestSeedScenario is the failure supctl exists to prevent: a gateway that
// needs >=0.0.47-0 <0.1.0 finds a cached 0.0.37-dev.160 supervisor for the
// floating tag dev.
func TestSeedScenario(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: "0.0.37-dev.160"})
	const rng = ">=0.0.47-0 <0.1.0"
	if code, _, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64"); code != 0 {
		t.Fatalf("seeding the cache: exit %d %s", code, errOut)
	}
	for _, maxAge := range []string{"1h", "0s"} { // served from the records; checked and unchanged
		code, out, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64", "--compat", rng, "--max-age", maxAge)
		if code != 3 || out != "" {
			t.Fatalf("max-age %s: exit %d, stdout %q; want 3 and nothing on stdout", maxAge, code, out)
		}
		for _, want := range []string{"0.0.37-dev.160", rng, ref} {
			if !strings.Contains(errOut, want) {
				t.Errorf("max-age %s: the error %q does not name %q", maxAge, errOut, want)
			}
		}
	}
	b, _ := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.13"})
	code, out, errOut := supctl(t, "--json", "pull", ref, "--platform", "linux/amd64", "--compat", rng, "--max-age", "0s")
	if code != 0 {
		t.Fatalf("after the tag moved: exit %d %s", code, errOut)
	}
	var res struct{ Version, Path string }
	json.Unmarshal([]byte(out), &res)
	if res.Version != "0.0.47-dev.13" {
		t.Fatalf("version %q after the tag moved", res.Version)
	}
	sameFile(t, res.Path, b.Binary("linux/amd64"))
}

func TestPin(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	b, ref := pushFixture(t, reg, "openshell/supervisor:0.0.47-dev.13", fixture.Options{Version: "0.0.47-dev.13"})
	tag, _ := name.ParseReference(ref)
	desc, err := remote.Head(tag)
	if err != nil {
		t.Fatal(err)
	}
	want := reg.Host() + "/openshell/supervisor@" + desc.Digest.String()

	code, out, errOut := supctl(t, "pin", ref, "--compat", ">=0.0.47-0 <0.1.0")
	if code != 0 || out != want+"\n" {
		t.Fatalf("pin: exit %d, %q (%s); want %q", code, out, errOut, want)
	}
	code, out, _ = supctl(t, "pin", ref, "--format", "toml")
	if code != 0 || out != "[openshell.drivers.docker]\nsupervisor_image = \""+want+"\"\n" {
		t.Fatalf("toml: exit %d, %q", code, out)
	}
	code, out, _ = supctl(t, "pin", ref, "--format", "json", "--platform", "linux/arm64", "--platform", "linux/amd64")
	var pin struct {
		Ref, Digest, Image string
		Platforms          []struct{ Platform, Digest, Version, VersionSource, BinarySHA256 string } `json:"platforms"`
	}
	if err := json.Unmarshal([]byte(out), &pin); code != 0 || err != nil {
		t.Fatalf("json: exit %d, %v: %s", code, err, out)
	}
	if pin.Image != want || pin.Digest != desc.Digest.String() || len(pin.Platforms) != 2 {
		t.Fatalf("json pin %+v", pin)
	}
	for _, p := range pin.Platforms {
		img := b.Images[p.Platform]
		md, _ := img.Image.Digest()
		if img == nil || p.Digest != md.String() || p.Version != "0.0.47-dev.13" {
			t.Errorf("platform %+v, want manifest %s version 0.0.47-dev.13", p, md)
		}
	}
	c, _ := cache.Open(dir)
	pins, err := c.Records().Pins()
	if err != nil || len(pins) != 1 || string(pins[0].Digest) != desc.Digest.String() || len(pins[0].Platforms) != 2 {
		t.Fatalf("recorded pins %+v, %v", pins, err)
	}

	// A range the image does not meet, and a platform it does not have.
	if code, _, errOut := supctl(t, "pin", ref, "--compat", ">=0.1.0"); code != 3 {
		t.Errorf("pin outside the range: exit %d %s", code, errOut)
	}
	_, amd := pushFixture(t, reg, "amd:1.0.0", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	if code, _, errOut := supctl(t, "pin", amd); code != 4 || !strings.Contains(errOut, "linux/arm64") {
		t.Errorf("pin of an amd64-only index: exit %d %s", code, errOut)
	}
}

func TestInspect(t *testing.T) {
	fixture.OtherPlatformUnrunnable(t) // expects it not to run here
	isolate(t)
	ctx := context.Background()
	dir := t.TempDir()
	host, other := fixture.HostPlatform(), fixture.OtherPlatform()
	hostBin, err := fixture.BuildSupervisor(ctx, dir, path.Base(host), "0.0.47-dev.13+g57b71c68f")
	if err != nil {
		t.Fatal(err)
	}
	otherBin, err := fixture.BuildSupervisor(ctx, dir, path.Base(other), "0.0.47-dev.13+g57b71c68f")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho openshell-sandbox 0.0.47\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"runs here", []string{hostBin, "--platform", host}, 0, []string{"0.0.47-dev.13+g57b71c68f", "run", host, "none required"}},
		{"read without running", []string{otherBin, "--platform", other, "--compat", ">=0.0.47-0 <0.1.0"}, 0, []string{"elf-string", "within >=0.0.47-0 <0.1.0"}},
		{"outside the range", []string{hostBin, "--platform", host, "--compat", ">=0.1.0"}, 3, []string{"outside >=0.1.0", "0.0.47-dev.13"}},
		{"wrong machine", []string{hostBin, "--platform", other}, 1, nil},
		{"not elf", []string{script, "--platform", host}, 1, nil},
		{"a directory is refused without being read", []string{dir, "--platform", host}, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := supctl(t, append([]string{"inspect"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
