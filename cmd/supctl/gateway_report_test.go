package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

const (
	staleVersion   = "0.0.37-dev.160"
	gatewayVersion = "0.0.47-dev.12+g68d428055"
)

// reportHome is the original report's machine, rebuilt in a temporary
// home: the gateway's program, gateway.toml, gateway.env, a partial TLS
// directory beside a complete copy, and the gateway's own extraction of a
// Rust/clap 0.0.37-dev.160 supervisor, in supctl's default cache
// directory, keyed by the ID of the image the gateway's engine holds
// under the configured tag.
type reportHome struct {
	home, toml, env, extraction, tlsDir, copyDir, image string
}

func buildReportHome(t *testing.T) reportHome {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("needs an amd64 host")
	}
	fixture.SkipWithoutRust(t, "amd64")
	eng := enginetest.Open(t)
	ctx := context.Background()
	h := reportHome{home: t.TempDir()}
	t.Setenv("HOME", h.home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(h.home, ".config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(h.home, ".local", "state"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(h.home, ".local", "share"))
	t.Setenv("SUPCTL_CACHE_DIR", "") // the default: the gateway's docker-supervisor/
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	for _, v := range []string{"OPENSHELL_DRIVERS", "OPENSHELL_GATEWAY_CONFIG", "OPENSHELL_LOCAL_TLS_DIR", "KUBERNETES_SERVICE_HOST"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	// A Podman API answering too: the env file's OPENSHELL_DRIVERS keeps
	// the gateway on Docker.
	t.Setenv("OPENSHELL_PODMAN_SOCKET", enginetest.StartPodman(t).Socket)

	bin := filepath.Join(h.home, "bin")
	writeFile(t, filepath.Join(bin, "openshell-gateway"), "#!/bin/sh\necho 'openshell-gateway "+gatewayVersion+"'\n", 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	// The stale supervisor image, in the gateway's engine under a tag of
	// the test's own, and the gateway's extraction of it.
	staleBin, err := fixture.BuildRustSupervisor(ctx, t.TempDir(), fixture.RustOptions{Arch: "amd64", Version: staleVersion})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := os.ReadFile(staleBin)
	if err != nil {
		t.Fatal(err)
	}
	img, err := fixture.ScratchImageOf(v1.Platform{OS: "linux", Architecture: "amd64"}, stale)
	if err != nil {
		t.Fatal(err)
	}
	var rb [6]byte
	rand.Read(rb[:])
	h.image = "supctl-test-gateway-" + hex.EncodeToString(rb[:]) + "/supervisor:dev"
	tag, _ := name.NewTag(h.image)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	if err := eng.LoadImage(ctx, pr); err != nil {
		t.Fatal(err)
	}
	loaded, err := eng.Image(ctx, h.image)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.RemoveImage(context.Background(), loaded.ID) })
	h.extraction = filepath.Join(h.home, ".local", "share", "openshell", "docker-supervisor", strings.Replace(loaded.ID, ":", "-", 1), "openshell-sandbox")
	writeFile(t, h.extraction, string(stale), 0o755)

	h.toml = filepath.Join(h.home, ".config", "openshell", "gateway.toml")
	writeFile(t, h.toml, "[openshell]\nversion = 1\n\n[openshell.drivers.docker]\nsupervisor_image = \""+h.image+"\"\n", 0o644)
	h.env = filepath.Join(h.home, ".config", "openshell", "gateway.env")
	writeFile(t, h.env, "# written by hand\nOPENSHELL_DRIVERS=docker\n", 0o644)

	h.tlsDir = filepath.Join(h.home, ".local", "state", "openshell", "tls")
	writeFile(t, filepath.Join(h.tlsDir, "ca.crt"), "ca", 0o644)
	writeFile(t, filepath.Join(h.tlsDir, "jwt", "signing.pem"), "key", 0o600)
	h.copyDir = filepath.Join(h.home, ".local", "state", "openshell", "homebrew", "tls")
	for _, f := range []string{"jwt/signing.pem", "jwt/public.pem", "jwt/kid"} {
		writeFile(t, filepath.Join(h.copyDir, f), "x", 0o600)
	}
	return h
}

func writeFile(t *testing.T, p, s string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
}

type doctorJSON struct {
	Problems []struct{ Area, Severity, Message, Fix string }
	Cache    struct {
		Dir  string
		Note string
	}
	Gateway struct {
		Found        bool
		Range        string
		RangeDerived bool `json:"range_derived"`
		Binary       struct{ Version string }
		Driver       struct {
			Name       string
			Configured bool
			Source     string
		}
		Supervisor struct {
			Path, Version, Verdict, Tier string
		}
		Extractions []struct {
			Path, Version, Verdict string
			Mounted                bool
		}
		JWT struct {
			State   string
			Missing []string
			Copies  []string
		}
	}
}

// TestGatewayOriginalReport: one "supctl doctor" on the original report's
// machine names the stale 0.0.37-dev.160 binary the gateway will mount,
// its path, the gateway's version 0.0.47-dev.12 and the fix, and the
// partial JWT material with its missing file; it creates nothing in the
// gateway's directory. After the fix (a compatible supervisor pulled from
// a local registry, supervisor_bin pointed at it, the JWT copied, the
// stale extraction removed on request) doctor is clean.
func TestGatewayOriginalReport(t *testing.T) {
	h := buildReportHome(t)
	code, out, errOut := supctl(t, "doctor")
	t.Logf("doctor, before:\n%s%s", out, errOut)
	if code != exitIncompatible {
		t.Fatalf("exit %d, want %d", code, exitIncompatible)
	}
	var stale string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "problem: the gateway (version "+gatewayVersion+") will mount "+h.extraction) {
			stale = l
		}
	}
	if stale == "" || !strings.Contains(stale, "version "+staleVersion) || !strings.Contains(stale, `">=0.0.47-0 <0.0.48-0"`) || !strings.Contains(stale, "derived from the gateway's version") {
		t.Fatalf("no problem naming the stale binary, its path, its version and the gateway's:\n%s", out)
	}
	if !strings.Contains(out, "fix: pull a compatible supervisor") || !strings.Contains(out, "supervisor_bin in "+h.toml) {
		t.Errorf("no fix:\n%s", out)
	}
	if !strings.Contains(out, "problem: the gateway's sandbox JWT material in "+h.tlsDir) || !strings.Contains(out, "jwt/public.pem, jwt/kid missing") || !strings.Contains(out, "copy "+h.copyDir+"/jwt/") {
		t.Errorf("no JWT problem naming the missing files and the complete copy:\n%s", out)
	}
	for _, sub := range []string{"entries", "refs", "indexes", "pins"} {
		if _, err := os.Lstat(filepath.Join(filepath.Dir(filepath.Dir(h.extraction)), sub)); err == nil {
			t.Errorf("doctor created %s/ in the gateway's directory", sub)
		}
	}
	_, out, _ = supctl(t, "doctor", "--json")
	var rep doctorJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	g := rep.Gateway
	if !g.Found || g.Binary.Version != gatewayVersion || g.Range != ">=0.0.47-0 <0.0.48-0" || !g.RangeDerived ||
		g.Driver.Name != "docker" || !g.Driver.Configured || g.Driver.Source != "OPENSHELL_DRIVERS in "+h.env+":2" ||
		g.Supervisor.Path != h.extraction || g.Supervisor.Version != staleVersion || g.Supervisor.Verdict != "incompatible" ||
		len(g.Extractions) != 1 || !g.Extractions[0].Mounted || g.JWT.State != "partial" || len(g.JWT.Copies) != 1 {
		t.Fatalf("--json: %+v", g)
	}

	// The fix.
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "openshell/supervisor:0.0.47-dev.12", fixture.Options{Version: "0.0.47-dev.12+g68d428055",
		Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	code, out, errOut = supctl(t, "pull", ref, "--compat", ">=0.0.47-0 <0.0.48-0")
	if code != 0 {
		t.Fatalf("pull: exit %d\n%s", code, errOut)
	}
	good := strings.TrimSpace(out)
	writeFile(t, h.toml, "[openshell]\nversion = 1\n\n[openshell.drivers.docker]\nsupervisor_bin = \""+good+"\"\nsupervisor_image = \""+h.image+"\"\n", 0o644)
	for _, f := range []string{"jwt/signing.pem", "jwt/public.pem", "jwt/kid"} {
		writeFile(t, filepath.Join(h.tlsDir, f), "x", 0o600)
	}
	// The stale extraction is only a warning now; gc leaves it, and
	// "gc --gateway-extractions" removes it, dry run first.
	if code, _, _ := supctl(t, "gc", "--max-unused", "0s"); code != 0 {
		t.Fatalf("gc: exit %d", code)
	}
	if _, err := os.Stat(h.extraction); err != nil {
		t.Fatalf("gc removed the gateway's extraction: %v", err)
	}
	_, out, _ = supctl(t, "gc", "--gateway-extractions", "--dry-run")
	if !strings.Contains(out, "would remove the gateway's extraction "+h.extraction) {
		t.Fatalf("dry run: %s", out)
	}
	if _, err := os.Stat(h.extraction); err != nil {
		t.Fatalf("the dry run removed it: %v", err)
	}
	if code, out, errOut := supctl(t, "gc", "--gateway-extractions"); code != 0 || !strings.Contains(out, "removed 1 gateway extraction") {
		t.Fatalf("gc --gateway-extractions: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = supctl(t, "doctor")
	t.Logf("doctor, after:\n%s%s", out, errOut)
	if code != 0 || strings.Contains(out, "problem:") || !strings.Contains(out, "ok: no problems found") {
		t.Fatalf("after the fix: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "mounts:  "+good) || !strings.Contains(out, "0.0.47-dev.12+g68d428055 (run): compatible") {
		t.Errorf("the fixed supervisor is not shown:\n%s", out)
	}
}
