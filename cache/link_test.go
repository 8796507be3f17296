package cache_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/cache"
)

// TestSetLink: a link names the entry's binary through a relative
// symbolic link; a switch keeps the one before as .previous; a switch to
// the same entry changes nothing.
func TestSetLink(t *testing.T) {
	c, clk := openClocked(t)
	ctx := context.Background()
	a, b := put(t, c, clk, "a", spec{}), put(t, c, clk, "b", spec{})
	l, switched, err := c.SetLink(ctx, "gateway", a.Key())
	if err != nil || !switched {
		t.Fatalf("first link: %v, switched %v", err, switched)
	}
	p := filepath.Join(c.Dir(), "links", "gateway")
	if l.Path != p || l.Target != a.Path || l.Version != "0.0.47" || l.Previous != "" || l.Err != nil {
		t.Fatalf("link %+v", l)
	}
	if got, _ := filepath.EvalSymlinks(p); got != a.Path {
		t.Fatalf("%s resolves to %s, want %s", p, got, a.Path)
	}
	if tgt, _ := os.Readlink(p); filepath.IsAbs(tgt) {
		t.Fatalf("target %s is absolute: a VM that shares the host's files under another prefix could not follow it", tgt)
	}
	if _, switched, _ := c.SetLink(ctx, "gateway", a.Key()); switched {
		t.Fatal("a link to the entry it already names was switched")
	}
	l, switched, err = c.SetLink(ctx, "gateway", b.Key())
	if err != nil || !switched || l.Target != b.Path || l.Previous != a.Path {
		t.Fatalf("switch: %+v, %v, %v", l, switched, err)
	}
	if got, _ := filepath.EvalSymlinks(p); got != b.Path {
		t.Fatalf("%s resolves to %s after the switch, want %s", p, got, b.Path)
	}
	if n, ok := c.LinkName(p); !ok || n != "gateway" {
		t.Fatalf("LinkName(%s) = %q, %v", p, n, ok)
	}
	if _, ok := c.LinkName(b.Path); ok {
		t.Fatal("an entry's binary taken for a link")
	}
}

// TestSetLinkRefuses: a bad name, an entry not cached or damaged: the link
// is left as it was.
func TestSetLinkRefuses(t *testing.T) {
	c, clk := openClocked(t)
	ctx := context.Background()
	a, b := put(t, c, clk, "a", spec{}), put(t, c, clk, "b", spec{})
	if _, _, err := c.SetLink(ctx, "gateway", a.Key()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "../x", "Gateway", "a.previous", ".tmp", "a/b"} {
		if _, _, err := c.SetLink(ctx, name, a.Key()); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if _, _, err := c.SetLink(ctx, "gateway", keyOf("absent")); !errors.Is(err, cache.ErrNotCached) {
		t.Errorf("absent entry: %v", err)
	}
	os.Chmod(b.Path, 0o755)
	os.WriteFile(b.Path, []byte("\x7fELF tampered"), 0o755)
	if _, _, err := c.SetLink(ctx, "gateway", b.Key()); !errors.Is(err, cache.ErrDamaged) {
		t.Errorf("damaged entry: %v", err)
	}
	if l := c.CheckLink(ctx, "gateway"); l.Target != a.Path || l.Err != nil {
		t.Errorf("the link moved: %+v", l)
	}
}

// TestCheckLink: every way a link can be wrong is a problem of verify,
// matching ErrDamaged; a missing link only fs.ErrNotExist.
func TestCheckLink(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spoil    func(t *testing.T, c *cache.Cache, link string, e *cache.Entry)
		notExist bool
	}{
		{name: "sound"},
		{name: "dangling", notExist: true, spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			os.Chmod(filepath.Dir(e.Path), 0o755)
			if err := os.RemoveAll(filepath.Dir(e.Path)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "outside the cache", spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			replace(t, link, "/usr/bin/true")
		}},
		{name: "relative, outside the entries", spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			replace(t, link, "../../../../usr/bin/true")
		}},
		{name: "another file of the entry", spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			replace(t, link, "../entries/"+filepath.Base(filepath.Dir(e.Path))+"/entry.json")
		}},
		{name: "binary changed", spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			os.Chmod(e.Path, 0o755)
			if err := os.WriteFile(e.Path, []byte("\x7fELF other"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.Chmod(e.Path, 0o555)
		}},
		{name: "not a symbolic link", spoil: func(t *testing.T, c *cache.Cache, link string, e *cache.Entry) {
			os.Remove(link)
			writeFile(t, link, "#!/bin/sh\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, clk := openClocked(t)
			ctx := context.Background()
			e := put(t, c, clk, "a", spec{})
			l, _, err := c.SetLink(ctx, "gateway", e.Key())
			if err != nil {
				t.Fatal(err)
			}
			if tc.spoil != nil {
				tc.spoil(t, c, l.Path, e)
			}
			got := c.CheckLink(ctx, "gateway")
			r, err := c.Verify(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			var linkProblems []cache.Problem
			for _, p := range r.Problems {
				if p.Kind == cache.ProblemLink {
					linkProblems = append(linkProblems, p)
				}
			}
			if tc.spoil == nil {
				if got.Err != nil || len(linkProblems) != 0 {
					t.Fatalf("sound link: %+v; %+v", got, r.Problems)
				}
				return
			}
			if !errors.Is(got.Err, cache.ErrDamaged) || errors.Is(got.Err, fs.ErrNotExist) != tc.notExist || got.Problem == "" {
				t.Fatalf("CheckLink: %+v", got)
			}
			if len(linkProblems) != 1 || linkProblems[0].Path != l.Path || linkProblems[0].Repaired || !errors.Is(linkProblems[0].Err, cache.ErrDamaged) {
				t.Fatalf("verify: %+v", r.Problems)
			}
			if _, err := os.Lstat(l.Path); err != nil {
				t.Fatalf("verify --repair removed the link: %v", err)
			}
		})
	}
	c, _ := openClocked(t)
	if l := c.CheckLink(context.Background(), "none"); !errors.Is(l.Err, fs.ErrNotExist) || errors.Is(l.Err, cache.ErrDamaged) {
		t.Fatalf("no link: %+v", l)
	}
}

func replace(t *testing.T, link, target string) {
	t.Helper()
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestGCKeepsLinked: gc keeps what a link names and what it named before
// its last switch, whatever their age; the entry before that goes.
func TestGCKeepsLinked(t *testing.T) {
	c, clk := openClocked(t)
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c"} {
		put(t, c, clk, n, spec{})
		if _, _, err := c.SetLink(ctx, "gateway", keyOf(n)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(t0.Add(365 * day))
	r, err := c.GC(ctx, cache.GCPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Removed) != 1 || r.Removed[0].Path != entryDir(c, "a") {
		t.Fatalf("removed %+v", r.Removed)
	}
	want := map[string]string{entryDir(c, "b"): "gateway.previous", entryDir(c, "c"): "gateway"}
	for _, k := range r.Kept {
		if k.Reason != cache.ReasonLinked || len(k.Refs) != 1 || want[k.Path] != k.Refs[0] {
			t.Errorf("kept %+v", k)
		}
	}
	if l := c.CheckLink(ctx, "gateway"); l.Err != nil {
		t.Fatalf("after gc: %+v", l)
	}
}

// TestSetLinkLeftover: a temporary link left by a killed switch is removed
// by the next switch and never taken for a link.
func TestSetLinkLeftover(t *testing.T) {
	c, clk := openClocked(t)
	ctx := context.Background()
	a := put(t, c, clk, "a", spec{})
	if _, _, err := c.SetLink(ctx, "gateway", a.Key()); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(c.Dir(), "links", ".tmp-gateway-0123456789abcdef")
	if err := os.Symlink("/usr/bin/true", tmp); err != nil {
		t.Fatal(err)
	}
	if ls, err := c.Links(ctx); err != nil || len(ls) != 1 {
		t.Fatalf("links: %v %+v", err, ls)
	}
	put(t, c, clk, "b", spec{})
	if _, _, err := c.SetLink(ctx, "gateway", keyOf("b")); err != nil {
		t.Fatal(err)
	}
	if exists(tmp) {
		t.Fatal("the killed switch's temporary link is still there")
	}
	if !exists(filepath.Join(c.Dir(), "links", "gateway.lock")) {
		t.Fatal("no lock file")
	}
}

// TestSetLinkConcurrent: goroutines and processes switching one link at
// once leave it whole, naming one of the entries, with no temporary link.
func TestSetLinkConcurrent(t *testing.T) {
	c, clk := openClocked(t)
	ctx := context.Background()
	names := []string{"a", "b", "c", "d"}
	for _, n := range names {
		put(t, c, clk, n, spec{})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 8 {
				if _, _, err := c.SetLink(ctx, "gateway", keyOf(names[(i+j)%len(names)])); err != nil {
					errs <- err
				}
			}
		}()
	}
	var cmds []*exec.Cmd
	for i := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLinkHelper$")
		cmd.Env = append(os.Environ(), "SUPCTL_LINK_HELPER="+c.Dir(), "SUPCTL_LINK_NAME="+names[i])
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	wg.Wait()
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l := c.CheckLink(ctx, "gateway")
	if l.Err != nil {
		t.Fatalf("link after the storm: %+v", l)
	}
	tmps, _ := filepath.Glob(filepath.Join(c.Dir(), "links", ".tmp-*"))
	if len(tmps) != 0 {
		t.Fatalf("temporary links left: %v", tmps)
	}
}

// TestLinkHelper is the process of TestSetLinkConcurrent: it switches the
// link to the entry it is given, repeatedly.
func TestLinkHelper(t *testing.T) {
	dir := os.Getenv("SUPCTL_LINK_HELPER")
	if dir == "" {
		t.Skip("helper process")
	}
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range 20 {
		if _, _, err := c.SetLink(ctx, "gateway", keyOf(os.Getenv("SUPCTL_LINK_NAME"))); err != nil {
			t.Fatal(strconv.Itoa(i), err)
		}
	}
}
