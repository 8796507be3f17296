package supervisor

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// buildHostile compiles testdata/hostile for this host with its targets.
func buildHostile(t *testing.T, arch, marker, dirs, addr, mode string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "hostile", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "main.go"), src, 0o644)
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/hostile\n\ngo 1.22\n"), 0o644)
	out := filepath.Join(t.TempDir(), "openshell-sandbox")
	ldflags := fmt.Sprintf("-X main.marker=%s -X main.dirs=%s -X main.addr=%s -X main.mode=%s", marker, dirs, addr, mode)
	cmd := exec.Command("go", "build", "-o", out, "-ldflags", ldflags, ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOWORK=off", "GOTOOLCHAIN=local")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building hostile: %v\n%s", err, msg)
	}
	return out
}

// treeHash hashes every name, mode and content under dir.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v %d\n", p, info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type hostileEnv struct {
	marker, bin, cache, open string
	dials                    *atomic.Int32
	ln                       net.Listener
}

func newHostileEnv(t *testing.T) *hostileEnv { return newHostileEnvMode(t, runtimeArch(), "") }

func newHostileEnvArch(t *testing.T, arch string) *hostileEnv { return newHostileEnvMode(t, arch, "") }

// newHostileEnvMode builds the hostile binary in mode (see its doc).
func newHostileEnvMode(t *testing.T, arch, mode string) *hostileEnv {
	t.Helper()
	var r [6]byte
	rand.Read(r[:])
	e := &hostileEnv{marker: "hostile" + hex.EncodeToString(r[:]), dials: new(atomic.Int32)}
	// A stand-in for the cache, owned by root as it is for a gateway, and
	// a directory anyone may write.
	e.cache = t.TempDir()
	os.MkdirAll(filepath.Join(e.cache, "entries", "sha256-00"), 0o755)
	os.WriteFile(filepath.Join(e.cache, "entries", "sha256-00", "record.json"), []byte(`{"version":"0.0.47"}`), 0o644)
	e.open = t.TempDir()
	os.Chmod(e.open, 0o777)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.ln = ln
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.dials.Add(1)
			c.Close()
		}
	}()
	e.bin = buildHostile(t, arch, e.marker, e.cache+":"+e.open, ln.Addr().String(), mode)
	return e
}

// TestRunConfinedHostile runs a binary that tries to write the cache and
// elsewhere, reach a listener on 127.0.0.1, leave a child running and keep
// its capabilities: it manages none of it, and nothing of it survives.
func TestRunConfinedHostile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: as a user the run is confined in a user namespace, tested as root below")
	}
	for _, tt := range []struct {
		name string
		p    RunProber
		bnd  string // the bounding set it sees
	}{
		{"as root: nobody in new namespaces", RunProber{}, "0"},
		// The kernel gives a new user namespace a full bounding set, of
		// capabilities over that namespace only; the run drops it too.
		{"user namespace", RunProber{userNS: true}, "0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newHostileEnv(t)
			before := treeHash(t, e.cache)
			v, err := tt.p.Probe(context.Background(), Binary{Path: e.bin, Platform: linuxPlatform(runtimeArch())})
			if err != nil {
				t.Fatal(err)
			}
			// Writes 0, dials 0, a child started (inside the namespace),
			// uid and gid nobody, no effective, permitted or bounding
			// capabilities, no_new_privs set.
			if want := "0.0.1-w0.n0.f1.u65534.g65534.e0.p0.b" + tt.bnd + ".s1.o0.k00.G0.c0.K1.U1.T1"; v.Version != want {
				t.Errorf("the hostile binary reported %s, want %s", v.Version, want)
			}
			if pids := processesWith(e.marker); len(pids) > 0 {
				t.Errorf("processes %v of the hostile run survived it", pids)
			}
			if after := treeHash(t, e.cache); after != before {
				t.Error("the cache changed")
			}
			for _, p := range []string{filepath.Join(e.open, "pwned-"+e.marker), filepath.Join(os.TempDir(), "pwned-"+e.marker), "/pwned-" + e.marker} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s was written", p)
				}
			}
			if n := e.dials.Load(); n != 0 {
				t.Errorf("the listener got %d connections", n)
			}
		})
	}

	// The control: run unconfined, the same binary does what it tries,
	// so the checks above can fail.
	t.Run("control: unconfined", func(t *testing.T) {
		e := newHostileEnv(t)
		cmd := exec.Command(e.bin, "--version")
		cmd.WaitDelay = time.Second // its child keeps standard output open
		out, err := cmd.Output()
		if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), ".n1.f1.u0.") || strings.Contains(string(out), "-w0.") || !strings.Contains(string(out), ".c1.K0.") {
			t.Errorf("unconfined, the hostile binary reported %q; want writes, a dial and root", out)
		}
		if e.dials.Load() == 0 {
			t.Error("unconfined, the listener got no connection")
		}
		for _, pid := range processesWith("child-" + e.marker) {
			exec.Command("kill", "-9", pid).Run()
		}
		os.Remove(filepath.Join(os.TempDir(), "pwned-"+e.marker))
		os.Remove(filepath.Join(os.TempDir(), "pwned-dir-"+e.marker))
		os.Remove("/pwned-" + e.marker)
		os.Remove("/pwned-dir-" + e.marker)
	})
}
