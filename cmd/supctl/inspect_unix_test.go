//go:build unix

package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Odd files under inspect are refused at once, without being read (a
// FIFO does not hang it), and a target that is neither a file nor a valid
// reference is "no such file"; none of them reaches a registry.
func TestInspectOddFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs supctl processes")
	}
	dir := isolate(t)
	// Any registry request goes through this proxy, which counts them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	proxy := "http://" + ln.Addr().String()
	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("HTTP_PROXY", proxy)
	t.Setenv("NO_PROXY", "")

	files := t.TempDir()
	fifo := filepath.Join(files, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(files, "sock")
	if l, err := net.Listen("unix", sock); err == nil {
		defer l.Close()
	}
	sub := filepath.Join(files, "dir")
	os.Mkdir(sub, 0o755)
	cwd, _ := os.Getwd()
	rel, _ := filepath.Rel(cwd, sub)
	tests := []struct {
		target string
		code   int
		want   string
	}{
		{fifo, 1, "is a FIFO"},
		{sock, 1, "is a socket"},
		{sub, 1, "is a directory"},
		{rel + "/", 1, "is a directory"},
		{"/dev/null", 1, "is a character device"},
		{filepath.Join(files, "missing"), 4, "no such file"},
		{"./missing", 4, "no such file"},
		{"../Missing_File", 4, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			// Bounded: a FIFO opened for reading would block forever.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p := start(t, ctx, dir, "inspect", tc.target)
			p.wait()
			if ctx.Err() != nil {
				t.Fatalf("inspect %s did not return: %v", tc.target, p)
			}
			if p.code != tc.code || !strings.Contains(p.stderr.String(), tc.want) {
				t.Fatalf("%v; want exit %d and %q", p, tc.code, tc.want)
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections to a registry for local targets", n)
	}
}

// A "~" in the cache directory is the home directory, never a directory
// called "~"; one that cannot be expanded is refused.
func TestCacheDirTilde(t *testing.T) {
	isolate(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	work := t.TempDir()
	t.Chdir(work)
	t.Setenv("SUPCTL_CACHE_DIR", "~/c")
	// A pull creates the cache (ls would not: it creates nothing); this one
	// finds nothing cached and may not ask a registry, exit 5.
	miss := []string{"pull", "--pull", "never", "127.0.0.1:1/x:dev"}
	if code, _, errOut := supctl(t, miss...); code != exitUnreachable {
		t.Fatalf("pull with SUPCTL_CACHE_DIR=~/c: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(home, "c", "entries")); err != nil {
		t.Fatalf("the cache is not in the home directory: %v", err)
	}
	if code, _, errOut := supctl(t, append([]string{"--cache-dir", "~/d"}, miss...)...); code != exitUnreachable {
		t.Fatalf("pull --cache-dir ~/d: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(home, "d")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := supctl(t, "--cache-dir", "~no-such-user-here/c", "ls"); code != 2 || !strings.Contains(errOut, "~no-such-user-here") {
		t.Fatalf("unknown user: %d %s", code, errOut)
	}
	if des, _ := os.ReadDir(work); len(des) != 0 {
		t.Fatalf("created in the working directory: %v", des)
	}
}
