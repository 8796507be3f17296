package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/manifest"
)

type pulled struct {
	Path         string `json:"path"`
	BinarySHA256 string `json:"binary_sha256"`
	Version      string `json:"version"`
	Extracted    bool   `json:"extracted"`
}

func pullResult(t *testing.T, args ...string) (int, pulled, string) {
	t.Helper()
	code, out, errOut := supctl(t, append([]string{"--json", "pull"}, args...)...)
	var p pulled
	if code == 0 {
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return code, p, errOut
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// overwrite writes body over p in place and puts its mode and mtime back.
func overwrite(t *testing.T, p string, body []byte) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, fi.Mode().Perm())
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
}

// Tampering with a cached binary (same size, mtime put back) or with its
// record alone never decides what pull hands out or reports: by tag, by
// digest and with --pull always, the path holds the image's binary and
// the reported sha256 and version are the image's.
func TestTamperedEntriesAreNotServed(t *testing.T) {
	reg := registrytest.NewInProcess(t)
	b, ref := pushFixture(t, reg, "trust/sup:dev", fixture.Options{Version: "0.0.47", Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	id, _ := b.Index.Digest()
	byDigest := strings.TrimSuffix(ref, ":dev") + "@" + id.String()
	want := b.Images["linux/amd64"].BinaryDigest.Hex
	tampers := []struct {
		name   string
		tamper func(t *testing.T, p pulled)
	}{
		{"binary bytes", func(t *testing.T, p pulled) {
			data, _ := os.ReadFile(p.Path)
			data[len(data)-1] ^= 1
			overwrite(t, p.Path, data)
		}},
		{"binary bytes and record sha256", func(t *testing.T, p pulled) {
			data, _ := os.ReadFile(p.Path)
			data[len(data)-1] ^= 1
			overwrite(t, p.Path, data)
			s := sha256.Sum256(data)
			editRecord(t, p.Path, func(e *manifest.Entry) { e.BinarySHA256 = digest.Digest("sha256:" + hex.EncodeToString(s[:])) })
		}},
		{"record version", func(t *testing.T, p pulled) {
			editRecord(t, p.Path, func(e *manifest.Entry) { e.Version = "9.9.9" })
		}},
	}
	for _, tc := range tampers {
		for _, args := range [][]string{{ref}, {byDigest}, {ref, "--pull", "always"}, {ref, "--compat", ">=9.0.0"}} {
			t.Run(tc.name+"/"+strings.Join(args[1:], " "), func(t *testing.T) {
				isolate(t)
				code, p, errOut := pullResult(t, ref, "--platform", "linux/amd64")
				if code != 0 {
					t.Fatal(errOut)
				}
				tc.tamper(t, p)
				code, got, errOut := pullResult(t, append(args, "--platform", "linux/amd64")...)
				if args[len(args)-1] == ">=9.0.0" {
					if code != exitIncompatible {
						t.Fatalf("an edited version passed --compat: exit %d %+v %s", code, got, errOut)
					}
					return
				}
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if got.BinarySHA256 != want || fileSum(t, got.Path) != want || got.Version != "0.0.47" || !got.Extracted {
					t.Fatalf("served %+v (file sha256 %s); want the image's binary %s, extracted again", got, fileSum(t, got.Path), want)
				}
			})
		}
	}
}

// editRecord rewrites the record of the entry holding bin in place.
func editRecord(t *testing.T, bin string, edit func(*manifest.Entry)) {
	t.Helper()
	p := filepath.Join(filepath.Dir(bin), "entry.json")
	var e manifest.Entry
	if err := manifest.Read(p, &e); err != nil {
		t.Fatal(err)
	}
	edit(&e)
	data, err := manifest.Encode(&e)
	if err != nil {
		t.Fatal(err)
	}
	overwrite(t, p, data)
}

// A cache another user owns, or whose entries/ they swapped for their own,
// is refused by every command, root included, with the path, the owner,
// the mode and the fix.
func TestForeignCacheRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "trust/foreign:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
	for _, level := range []string{"", "entries", "refs"} {
		t.Run("level "+level, func(t *testing.T) {
			dir := isolate(t)
			if code, _, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64"); code != 0 {
				t.Fatal(errOut)
			}
			p := filepath.Join(dir, level)
			os.Chown(p, 4242, 4242)
			for _, args := range [][]string{{"pull", ref, "--platform", "linux/amd64"}, {"ls"}, {"verify"}, {"gc", "--dry-run"}} {
				code, out, errOut := supctl(t, args...)
				if args[0] == "verify" {
					// verify reports it as the cache's problem, exit 6.
					if code != exitCorrupt {
						t.Fatalf("verify on a foreign cache: exit %d, %q %s", code, out, errOut)
					}
					errOut = out + errOut
				} else if code == 0 || out != "" {
					t.Fatalf("%v on a foreign cache: exit %d, %q", args, code, out)
				}
				for _, w := range []string{p + " is not owned by you", "uid 4242", "drwxr-xr-x", "chown"} {
					if !strings.Contains(errOut, w) {
						t.Errorf("%v: %q lacks %q", args, errOut, w)
					}
				}
			}
		})
	}
	t.Run("entries swapped for a symlink", func(t *testing.T) {
		dir := isolate(t)
		if code, _, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64"); code != 0 {
			t.Fatal(errOut)
		}
		fake := filepath.Join(t.TempDir(), "fake")
		os.Rename(filepath.Join(dir, "entries"), fake)
		os.Chown(fake, 4242, 4242)
		os.Symlink(fake, filepath.Join(dir, "entries"))
		code, out, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64")
		if code == 0 || out != "" || !strings.Contains(errOut, "symbolic link") {
			t.Fatalf("exit %d, %q, %s", code, out, errOut)
		}
	})
}

// ls, gc --dry-run, verify and inspect of a file change nothing on disk,
// however damaged the cache; verify reports every problem with exit 6.
func TestCLIReadsArePureAndVerifyReportsAll(t *testing.T) {
	dir := isolate(t)
	reg := registrytest.NewInProcess(t)
	_, ref := pushFixture(t, reg, "trust/pure:dev", fixture.Options{Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}})
	_, a, _ := pullResult(t, ref, "--platform", "linux/amd64")
	_, b, _ := pullResult(t, ref, "--platform", "linux/arm64")
	data, _ := os.ReadFile(a.Path)
	data[len(data)-1] ^= 1
	overwrite(t, a.Path, data)
	lock := filepath.Dir(b.Path) + ".lock"
	os.Remove(lock)
	os.Mkdir(lock, 0o755)
	refs, _ := filepath.Glob(filepath.Join(dir, "refs", "*.json"))
	if len(refs) != 1 {
		t.Fatalf("refs: %v", refs)
	}
	os.WriteFile(refs[0], []byte("{nope"), 0o644)
	before := cliSnapshot(t, dir)
	for _, args := range [][]string{{"ls"}, {"--json", "ls"}, {"gc", "--dry-run", "--max-unused", "0"}, {"--json", "gc", "--dry-run"}, {"inspect", b.Path}, {"--json", "verify"}} {
		supctl(t, args...)
	}
	if after := cliSnapshot(t, dir); after != before {
		t.Fatalf("a read changed the cache:\nbefore\n%s\nafter\n%s", before, after)
	}
	code, out, _ := supctl(t, "--json", "verify")
	var r cache.VerifyReport
	if code != exitCorrupt || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("verify: exit %d %s", code, out)
	}
	kinds := map[string]string{}
	for _, p := range r.Problems {
		kinds[p.Path] = p.Kind
	}
	for p, k := range map[string]string{filepath.Dir(a.Path): cache.ProblemEntry, lock: cache.ProblemLock, refs[0]: cache.ProblemRecord} {
		if kinds[p] != k {
			t.Errorf("%s: reported as %q, want %q (%+v)", p, kinds[p], k, r.Problems)
		}
	}
	if len(r.Problems) != 3 {
		t.Errorf("%d problems: %+v", len(r.Problems), r.Problems)
	}
	if code, _, errOut := supctl(t, "verify", "--repair"); code != exitCorrupt {
		t.Fatalf("verify --repair: %d %s", code, errOut)
	}
	if code, out, errOut := supctl(t, "verify"); code != 0 {
		t.Fatalf("after repair: %d %s %s", code, out, errOut)
	}
}

// cliSnapshot lists everything under dir with its inode, mode, size,
// mtime and ctime.
func cliSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		st := fi.Sys().(*syscall.Stat_t)
		b.WriteString(strings.Join([]string{p, fi.Mode().String(), itoa(fi.Size()), itoa(int64(st.Ino)), itoa(fi.ModTime().UnixNano()), itoa(st.Ctim.Nano())}, " ") + "\n")
		return nil
	})
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A top layer that makes the binary's path a directory, explicitly or by
// an entry below it, hides the binary of the lower layers: exit 4, as the
// engine would show no file there.
func TestDirectoryLayersHideTheBinary(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	for _, l := range []fixture.Layout{fixture.DirectoryOnTop, fixture.ImpliedDirOnTop, fixture.OpaqueInsideOnTop} {
		t.Run(l.String(), func(t *testing.T) {
			_, ref := pushFixture(t, reg, "trust/"+strings.ToLower(l.String())+":dev", fixture.Options{Layout: l, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}})
			code, out, errOut := supctl(t, "pull", ref, "--platform", "linux/amd64")
			if code != 4 || out != "" || !strings.Contains(errOut, "is a directory") {
				t.Fatalf("exit %d, %q, %s; want exit 4", code, out, errOut)
			}
		})
	}
}
