package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestTempPattern(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"r.json", ".r.json.tmp-*"},
		{".seal", ".seal.tmp-*"},
		{"x", ".x.tmp-*"},
	} {
		if got := TempPattern(tc.base); got != tc.want {
			t.Errorf("TempPattern(%q) = %q, want %q", tc.base, got, tc.want)
		}
	}
}

// Write creates or replaces the file, with the mode asked for, and leaves
// no temporary file, whether it succeeds or fails; a failed write leaves
// the file as it was.
func TestWrite(t *testing.T) {
	failed := errors.New("rename refused")
	for _, tc := range []struct {
		name    string
		before  string // "" for no file
		rename  func(tmp, path string) error
		wantErr error
		want    string
	}{
		{name: "creates", want: "new"},
		{name: "replaces", before: "old", want: "new"},
		{name: "renames with the caller's rename", before: "old", rename: func(tmp, path string) error {
			if err := os.WriteFile(path+".renamed", nil, 0o600); err != nil {
				return err
			}
			return os.Rename(tmp, path)
		}, want: "new"},
		{name: "a failed rename leaves the file", before: "old", rename: func(string, string) error { return failed }, wantErr: failed, want: "old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "r.json")
			if tc.before != "" {
				if err := os.WriteFile(p, []byte(tc.before), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(p, []byte("new"), 0o444, tc.rename)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Write: %v, want %v", err, tc.wantErr)
			}
			b, rerr := os.ReadFile(p)
			if rerr != nil || string(b) != tc.want {
				t.Fatalf("after Write: %q, %v; want %q", b, rerr, tc.want)
			}
			if fi, _ := os.Stat(p); err == nil && fi.Mode().Perm() != 0o444 {
				t.Errorf("mode %v, want 0444", fi.Mode().Perm())
			}
			if left, _ := filepath.Glob(filepath.Join(dir, TempPattern("r.json"))); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if _, serr := os.Stat(p + ".renamed"); (serr == nil) != (tc.rename != nil && tc.wantErr == nil) {
				t.Errorf("the caller's rename: called %v, given %v", serr == nil, tc.rename != nil)
			}
		})
	}
}

// A directory where the file belongs is not replaced by os.Rename: Write
// fails and leaves it, and no temporary file.
func TestWriteOverDirectory(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644, nil); err == nil {
		t.Fatal("Write over a directory succeeded")
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		t.Fatalf("the directory: %v, %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, TempPattern("r.json"))); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
