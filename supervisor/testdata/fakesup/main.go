// Command fakesup stands in for openshell-sandbox in tests. What it does
// for --version depends on the name it is run as (see main); the version
// it prints is set with -ldflags "-X main.version=...".
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const name = "openshell-sandbox"

var version = "0.0.0-unset"

// packed imitates how rustc lays out string literals in .rodata: no
// separators, decoy versions around, the clap "name version" string in
// the middle, and a panic location right after it.
var packed = "\x00\x01panicked at tokio-1.38.0/src/runtime.rs" +
	"openshell-sandbox-0.0.36/src/lib.rsclap 4.5.4" +
	"openshell-sandbox 0.0.47-dev.13+g57b71c68f" +
	"/rustc/129f3b996/library/core/src/option.rs"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		time.Sleep(time.Hour)
		return
	}
	// The version string is printed in pieces so that the binary's data
	// holds "<name> <version>" only in packed.
	mode, _, _ := strings.Cut(filepath.Base(os.Args[0]), "_") // "hangchild_x" is "hangchild"
	switch mode {
	case "env": // reports the size of its environment and of its stdin
		in, _ := io.ReadAll(os.Stdin)
		wd, _ := os.Getwd()
		fmt.Printf("%s %s-env.%d.stdin.%d.wd.%d\n", name, "1.0.0", len(os.Environ()), len(in), len(wd))
	case "exit3":
		fmt.Printf("%s %s\n", name, "1.0.0")
		fmt.Fprintln(os.Stderr, "boom")
		os.Exit(3)
	case "garbage":
		fmt.Println("hello world")
	case "flood":
		fmt.Printf("%s %s\n", name, "1.0.0")
		fmt.Print(strings.Repeat("x", 1<<20))
		fmt.Fprint(os.Stderr, strings.Repeat("y", 1<<20))
	case "hang":
		time.Sleep(time.Hour)
	case "hangchild": // starts a child sharing its stdout, hangs
		// ForkExec, not os/exec: a confined run has no /dev/null.
		attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}}
		if _, err := syscall.ForkExec(os.Args[0], []string{os.Args[0], "child"}, attr); err != nil {
			os.Exit(1)
		}
		time.Sleep(time.Hour)
	case "packed":
		fmt.Print(packed)
	default:
		fmt.Printf("%s %s\n", name, version)
	}
}
