package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The commands that only read or trim the cache leave a fresh machine as
// they found it: a cache that was never created stays uncreated, and each
// reports the empty cache it is.
func TestReadOnlyCommandsCreateNoCache(t *testing.T) {
	for _, args := range [][]string{
		{"ls"},
		{"ls", "--json"},
		{"gc"},
		{"gc", "--dry-run", "--json"},
		{"verify"},
		{"verify", "--repair", "--json"},
	} {
		dir := filepath.Join(t.TempDir(), "never-created")
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--cache-dir", dir}, args...), &stdout, &stderr)
		if code != exitOK {
			t.Errorf("%q: exit %d, want 0; stderr: %s", args, code, stderr.String())
		}
		if _, err := os.Lstat(dir); !os.IsNotExist(err) {
			t.Errorf("%q created the cache directory %s (%v)", args, dir, err)
		}
		if args[len(args)-1] == "--json" && !json.Valid(stdout.Bytes()) {
			t.Errorf("%q printed no JSON document: %q", args, stdout.String())
		}
	}
}
