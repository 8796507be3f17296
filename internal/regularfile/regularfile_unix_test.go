//go:build unix

package regularfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       string
		err        string // the error must contain it; "" for none
	}{
		{"regular", write("a", "hello"), "hello", ""},
		{"at the bound", write("b", "12345"), "12345", ""},
		{"over the bound", write("c", "123456"), "", "larger than 5 bytes"},
		{"a FIFO, without a writer", fifo, "", "not a regular file"},
		{"a directory", dir, "", "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(tc.path, 5)
			if tc.err == "" && (err != nil || string(got) != tc.want) {
				t.Fatalf("Read = %q, %v; want %q", got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("Read = %q, %v; want an error with %q", got, err, tc.err)
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "missing"), 5); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v; want fs.ErrNotExist", err)
	}
}
