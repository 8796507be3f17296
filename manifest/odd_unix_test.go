//go:build unix

package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/manifest"
)

// A record that is a symlink, a directory, a FIFO or another user's file
// is not believed, and reading it neither follows it nor blocks.
func TestReadOddFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	data, _ := manifest.Encode(&manifest.Ref{Name: "x", Digest: d1, CheckedAt: time.Unix(1, 0)})
	os.WriteFile(good, data, 0o644)
	link := filepath.Join(dir, "link.json")
	os.Symlink(good, link)
	sub := filepath.Join(dir, "dir.json")
	os.Mkdir(sub, 0o755)
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.json")
	os.WriteFile(foreign, data, 0o644)
	files := []string{link, sub, fifo}
	if os.Geteuid() == 0 {
		os.Chown(foreign, 4242, 4242)
		files = append(files, foreign)
	}
	open := filepath.Join(dir, "open.json")
	os.WriteFile(open, data, 0o666)
	os.Chmod(open, 0o666)
	files = append(files, open)
	for _, p := range files {
		var r manifest.Ref
		if err := manifest.Read(p, &r); !errors.Is(err, manifest.ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", filepath.Base(p), err)
		}
	}
	var r manifest.Ref
	if err := manifest.Read(good, &r); err != nil {
		t.Fatal(err)
	}
}
