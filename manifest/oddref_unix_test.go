//go:build unix

package manifest_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/manifest"
)

// A ref record that is a directory, a FIFO or a socket (unreadable) is
// corrupt to a reader, which treats it as absent; writing the ref again
// replaces it (a directory is moved aside first), without ever blocking.
func TestRefOverOddFiles(t *testing.T) {
	for _, kind := range []string{"directory", "fifo", "socket"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			s, err := manifest.OpenStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			ref := &manifest.Ref{Name: "example.com/sup:dev", Digest: d1, CheckedAt: time.Unix(1, 0).UTC()}
			if err := s.PutRef(ref); err != nil {
				t.Fatal(err)
			}
			matches, _ := filepath.Glob(filepath.Join(dir, "refs", "*.json"))
			if len(matches) != 1 {
				t.Fatalf("refs: %v", matches)
			}
			p := matches[0]
			os.Remove(p)
			switch kind {
			case "directory":
				err = os.Mkdir(p, 0o755)
			case "fifo":
				err = syscall.Mkfifo(p, 0o644)
			case "socket":
				var l net.Listener
				if l, err = net.Listen("unix", p); err == nil {
					defer l.Close()
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				if _, err := s.Ref(ref.Name); !errors.Is(err, manifest.ErrCorrupt) {
					t.Errorf("Ref of a %s: %v, want ErrCorrupt", kind, err)
				}
				if err := s.PutRef(ref); err != nil {
					t.Errorf("PutRef over a %s: %v", kind, err)
				}
				if got, err := s.Ref(ref.Name); err != nil || got.Digest != d1 {
					t.Errorf("Ref after PutRef: %+v %v", got, err)
				}
			}()
			select {
			case <-done:
			case <-time.After(time.Minute): // a guard against a hang, not a measure
				t.Fatalf("a %s at a ref record hangs", kind)
			}
		})
	}
}
