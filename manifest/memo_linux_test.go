package manifest

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/internal/fileid"
)

// A record read once its ctime has settled is remembered, and given again
// only while its file is unchanged: every change a reader must see, edits
// in place with the mtime put back included, is seen.
func TestMemoSeesEveryChange(t *testing.T) {
	const (
		d1 = digest.Digest("sha256:1111111111111111111111111111111111111111111111111111111111111111")
		d2 = digest.Digest("sha256:2222222222222222222222222222222222222222222222222222222222222222")
	)
	name := "example.com/sup:dev"
	// overwrite writes body over the file at p in place and puts its mtime
	// back.
	overwrite := func(t *testing.T, p, body string) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	other := func(p string) string {
		b, _ := os.ReadFile(p)
		return strings.Replace(string(b), string(d1), string(d2), 1)
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, p string)
		want   digest.Digest // or the error below
		err    error
	}{
		{"unchanged", func(t *testing.T, p string) {}, d1, nil},
		{"edited in place, mtime put back", func(t *testing.T, p string) { overwrite(t, p, other(p)) }, d2, nil},
		{"replaced by rename", func(t *testing.T, p string) {
			os.WriteFile(p+".new", []byte(other(p)), 0o644)
			os.Rename(p+".new", p)
		}, d2, nil},
		{"made writable by others", func(t *testing.T, p string) { os.Chmod(p, 0o666) }, "", ErrCorrupt},
		{"given to another user", func(t *testing.T, p string) {
			if os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			os.Chown(p, 4242, 4242)
		}, "", ErrCorrupt},
		{"replaced by a link to its copy", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p+".copy", b, 0o644)
			os.Remove(p)
			os.Symlink(p+".copy", p)
		}, "", ErrCorrupt},
		{"removed", func(t *testing.T, p string) { os.Remove(p) }, "", fs.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := OpenStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.PutRef(&Ref{Name: name, Digest: d1, CheckedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * fileid.SettleTime)
			if _, err := s.Ref(name); err != nil {
				t.Fatal(err)
			}
			p := s.refPath(name)
			if _, ok := s.memo.m[p]; !ok {
				t.Fatal("a settled record was not remembered")
			}
			tc.change(t, p)
			r, err := s.Ref(name)
			switch {
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("Ref: %+v, %v; want %v", r, err, tc.err)
			case tc.err == nil && (err != nil || r.Digest != tc.want):
				t.Fatalf("Ref: %+v, %v; want digest %s", r, err, tc.want)
			}
		})
	}
}

// What a remembered record gives its caller is the caller's own.
func TestMemoGivesCopies(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := digest.FromString("index")
	x := &Index{Digest: d, Manifests: []Platform{{Platform: "linux/amd64", Digest: digest.FromString("m")}}}
	if err := s.PutIndex(x); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * fileid.SettleTime)
	for i := range 3 {
		got, err := s.Index(d)
		if err != nil || len(got.Manifests) != 1 || got.Manifests[0].Platform != "linux/amd64" {
			t.Fatalf("read %d: %+v, %v", i, got, err)
		}
		got.Manifests[0].Platform = "changed by the caller"
	}
}
