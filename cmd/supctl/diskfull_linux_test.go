package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// fullScene is a cache holding one pulled entry, and a bigger image that is
// not cached yet.
type fullScene struct {
	reg             registrytest.Registry
	dir, small, big string
	smallBin, path  string
	record          []byte // the small ref's record
}

func newFullScene(t *testing.T, dir string) *fullScene {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("SUPCTL_CACHE_DIR", dir)
	reg := registrytest.NewInProcess(t)
	amd := []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	sb, small := pushFixture(t, reg, "small:dev", fixture.Options{Platforms: amd})
	_, big := pushFixture(t, reg, "big:dev", fixture.Options{Platforms: amd, Size: 16 << 20})
	s := &fullScene{reg: reg, dir: dir, small: small, big: big, smallBin: sb.Binary("linux/amd64")}
	code, out, errOut := supctl(t, "pull", small, "--platform", "linux/amd64")
	if code != 0 {
		t.Fatalf("pull: %d %s", code, errOut)
	}
	s.path = strings.TrimSpace(out)
	refs, _ := filepath.Glob(filepath.Join(dir, "refs", "*.json"))
	if len(refs) != 1 {
		t.Fatalf("refs %v", refs)
	}
	s.record, _ = os.ReadFile(refs[0])
	return s
}

// check asserts that a failed pull of the big image said what to do, and
// that the cache lost nothing.
func (s *fullScene) check(t *testing.T, code int, errOut string, hint ...string) {
	t.Helper()
	if code != 1 || !strings.HasPrefix(errOut, "supctl: ") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q: want 1 and one line", code, errOut)
	}
	for _, want := range append(hint, s.dir, "--cache-dir") {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error %q does not say %q", errOut, want)
		}
	}
	sameFile(t, s.path, s.smallBin)
	refs, _ := filepath.Glob(filepath.Join(s.dir, "refs", "*.json"))
	if got, _ := os.ReadFile(refs[0]); string(got) != string(s.record) {
		t.Errorf("the ref record changed:\n%s", got)
	}
	if m, _ := filepath.Glob(filepath.Join(s.dir, "entries", ".tmp-*")); len(m) != 0 {
		t.Errorf("temporary directories left: %v", m)
	}
	if code, out, _ := supctl(t, "verify"); code != 0 {
		t.Errorf("verify after the failure: exit %d\n%s", code, out)
	}
	if code, out, _ := supctl(t, "pull", s.small, "--platform", "linux/amd64"); code != 0 || strings.TrimSpace(out) != s.path {
		t.Errorf("the cached entry no longer pulls: exit %d %q", code, out)
	}
}

// A file size limit (ulimit -f) makes writes fail with EFBIG, as on a full
// disk, without privileges.
func TestFileSizeLimit(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to set a file size limit with")
	}
	s := newFullScene(t, t.TempDir())
	self, _ := os.Executable()
	// 1024 blocks: 512 KiB or 1 MiB, whatever the shell's block.
	cmd := exec.Command(sh, "-c", `ulimit -f 1024 && exec "$0" "$@"`, self, "pull", s.big, "--platform", "linux/amd64")
	cmd.Env = append(os.Environ(), asSupctl+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	if len(out) != 0 {
		t.Errorf("stdout %q", out)
	}
	s.check(t, cmd.ProcessState.ExitCode(), stderr.String(), "file size limit")
	if code, _, errOut := supctl(t, "pull", s.big, "--platform", "linux/amd64"); code != 0 {
		t.Fatalf("pull without the limit: %d %s", code, errOut)
	}
}

// mount mounts, or skips the test when it may not (not root, or no
// permission in this container).
func mount(t *testing.T, source, target, fstype string, flags uintptr, data string) {
	t.Helper()
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		t.Skipf("cannot mount %s on %s here: %v (needs root)", fstype+source, target, err)
	}
	if flags&syscall.MS_REMOUNT != 0 {
		return
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(target, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", target, err)
		}
	})
}

// A full file system: a tmpfs of 4 MiB holds the small entry, not the big.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	mount(t, "tmpfs", dir, "tmpfs", 0, "size=4m,mode=0755")
	s := newFullScene(t, dir)
	code, out, errOut := supctl(t, "pull", s.big, "--platform", "linux/amd64")
	if out != "" {
		t.Errorf("stdout %q", out)
	}
	s.check(t, code, errOut, "full", "free space")
}

// A read-only cache still serves what it holds, and says what to do for
// anything that needs writing.
func TestReadOnlyCache(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	s := newFullScene(t, src)
	// An entry no ref protects, for gc to fail to remove.
	o, other := pushFixture(t, s.reg, "other:dev", fixture.Options{Version: "0.0.1", Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	id, _ := o.Index.Digest()
	code, out, errOut := supctl(t, "pull", strings.TrimSuffix(other, ":dev")+"@"+id.String(), "--platform", "linux/amd64")
	if code != 0 {
		t.Fatalf("pull: %d %s", code, errOut)
	}
	otherPath := filepath.Join(dir, strings.TrimPrefix(strings.TrimSpace(out), src))

	mount(t, src, dir, "", syscall.MS_BIND, "")
	mount(t, "", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, "")
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); err == nil {
		t.Skip("the read-only mount is writable here")
	}
	t.Setenv("SUPCTL_CACHE_DIR", dir)
	s.dir, s.path = dir, filepath.Join(dir, strings.TrimPrefix(s.path, src))
	for _, args := range [][]string{{"ls"}, {"verify"}, {"pull", s.small, "--platform", "linux/amd64"}} {
		if code, _, errOut := supctl(t, args...); code != 0 {
			t.Errorf("%v on a read-only cache: exit %d %s", args, code, errOut)
		}
	}
	code, _, errOut = supctl(t, "pull", s.big, "--platform", "linux/amd64")
	s.check(t, code, errOut, "not writable")
	code, _, errOut = supctl(t, "gc", "--max-unused", "0")
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not writable") || !strings.Contains(errOut, dir) {
		t.Errorf("gc on a read-only cache: exit %d %q", code, errOut)
	}
	sameFile(t, otherPath, o.Binary("linux/amd64"))
}
