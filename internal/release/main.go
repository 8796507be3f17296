// Command release builds supctl's release binaries, without publishing
// anything:
//
//	go run ./internal/release [-o DIR]
//
// run from a git clone of the module. For each of darwin/arm64,
// darwin/amd64, linux/arm64 and linux/amd64 it builds cmd/supctl with
// CGO_ENABLED=0, -trimpath and the version control stamp (-buildvcs=true,
// whatever GOFLAGS says), which "supctl version" reads: the main module's
// version (the tag at HEAD, else a pseudo-version), the commit and whether
// the tree had uncommitted changes. Each binary is DIR/supctl-OS-ARCH
// (default DIR: dist). It then checks each one: its header (ELF or Mach-O)
// is for its OS and architecture, and its build information names the
// module, the commit and the build settings above. DIR/SHA256SUMS lists
// the binaries' SHA-256 in the format of sha256sum and "shasum -a 256".
//
// A build without a commit (no git, a tree that is not a clone, such as a
// git worktree, whose .git is a file the go command does not follow) is
// refused: a release must say where it came from.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Targets are the platforms of a release, as GOOS/GOARCH.
var Targets = []string{"darwin/arm64", "darwin/amd64", "linux/arm64", "linux/amd64"}

// buildTimeout bounds one cross build.
const buildTimeout = 10 * time.Minute

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "dist", "directory for the binaries and SHA256SUMS")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: go run ./internal/release [-o DIR]")
		return 2
	}
	if err := release(ctx, *out, stdout); err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 1
	}
	return 0
}

func release(ctx context.Context, dir string, stdout io.Writer) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var sums []string
	for _, target := range Targets {
		goos, goarch, _ := strings.Cut(target, "/")
		name := "supctl-" + goos + "-" + goarch
		bin, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := build(ctx, root, goos, goarch, bin); err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		st, err := check(bin, goos, goarch)
		if err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		sum, err := sha256File(bin)
		if err != nil {
			return err
		}
		sums = append(sums, sum+"  "+name+"\n")
		modified := ""
		if st.Modified {
			modified = " (modified: uncommitted changes)"
		}
		fmt.Fprintf(stdout, "%s  %s %s, commit %s%s\n", name, st.Header, st.Version, st.Commit, modified)
	}
	slices.SortFunc(sums, func(a, b string) int { return strings.Compare(a[64:], b[64:]) }) // by name
	return writeFile(filepath.Join(dir, "SHA256SUMS"), strings.Join(sums, ""))
}

// build cross-compiles cmd/supctl for goos/goarch into bin.
func build(ctx context.Context, root, goos, goarch, bin string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=true", "-ldflags=-s -w", "-o", bin, "./cmd/supctl")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(b))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run it inside supctl's module (go env GOMOD: %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeFile writes s to p by rename, so a reader never sees half of it.
func writeFile(p, s string) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
