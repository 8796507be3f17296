package manifest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
)

const (
	d1 = digest.Digest("sha256:1111111111111111111111111111111111111111111111111111111111111111")
	d2 = digest.Digest("sha256:2222222222222222222222222222222222222222222222222222222222222222")
)

func TestRefRoundTrip(t *testing.T) {
	s, err := manifest.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	in := &manifest.Ref{Name: "ghcr.io/nvidia/openshell/supervisor:dev", Digest: d1, CheckedAt: now}
	if err := s.PutRef(in); err != nil {
		t.Fatal(err)
	}
	out, err := s.Ref(in.Name)
	if err != nil {
		t.Fatal(err)
	}
	if *out != *in || out.SchemaVersion != manifest.SchemaVersion {
		t.Fatalf("read back %+v, wrote %+v", out, in)
	}
	if _, err := s.Ref("ghcr.io/other:dev"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing ref: %v, want fs.ErrNotExist", err)
	}
	refs, err := s.Refs()
	if err != nil || len(refs) != 1 {
		t.Fatalf("Refs: %v %v", refs, err)
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	x := &manifest.Index{Digest: d1, Manifests: []manifest.Platform{{"linux/arm64", d2}, {"linux/amd64", d1}}}
	data, err := manifest.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "schemaVersion": 1,
  "digest": "` + string(d1) + `",
  "manifests": [
    {
      "platform": "linux/amd64",
      "digest": "` + string(d1) + `"
    },
    {
      "platform": "linux/arm64",
      "digest": "` + string(d2) + `"
    }
  ]
}
`
	if string(data) != want {
		t.Fatalf("got\n%s\nwant\n%s", data, want)
	}
}

func TestReadBadFiles(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
		setAside   bool
	}{
		{"not json", "{nope", manifest.ErrCorrupt, true},
		{"no schema", `{"ref":"x","digest":"` + string(d1) + `","checkedAt":"2026-01-01T00:00:00Z"}`, manifest.ErrCorrupt, true},
		{"invalid digest", `{"schemaVersion":1,"ref":"x","digest":"sha256:zz","checkedAt":"2026-01-01T00:00:00Z"}`, manifest.ErrCorrupt, true},
		{"no time", `{"schemaVersion":1,"ref":"x","digest":"` + string(d1) + `"}`, manifest.ErrCorrupt, true},
		{"trailing", `{"schemaVersion":1,"ref":"x","digest":"` + string(d1) + `","checkedAt":"2026-01-01T00:00:00Z"} {}`, manifest.ErrCorrupt, true},
		{"future schema", `{"schemaVersion":7,"ref":"x","what":"new"}`, manifest.ErrSchema, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := manifest.OpenStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			dir := st.Dirs()[0]
			p := filepath.Join(dir, "r.json")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			var r manifest.Ref
			err = manifest.Read(p, &r)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// Reading changes nothing; setting aside is asked for.
			if b, err := os.ReadFile(p); err != nil || string(b) != tc.body {
				t.Fatalf("Read changed the file: %q, %v", b, err)
			}
			n, problems, err := st.Check(context.Background())
			if err != nil || n != 1 || len(problems) != 1 || problems[0].Path != p || !errors.Is(problems[0].Err, tc.want) {
				t.Fatalf("Check: %d %+v %v", n, problems, err)
			}
			aside, err := st.SetAside(p)
			if (err == nil) != tc.setAside {
				t.Fatalf("SetAside: %q, %v", aside, err)
			}
			_, statErr := os.Stat(p)
			if moved := errors.Is(statErr, fs.ErrNotExist); moved != tc.setAside {
				t.Fatalf("file moved aside: %v, want %v", moved, tc.setAside)
			}
			if tc.setAside {
				m, _ := filepath.Glob(filepath.Join(dir, "r.json.corrupt-*"))
				if len(m) != 1 || filepath.Base(m[0]) != aside {
					t.Fatalf("corrupt file not kept aside as %s: %v", aside, m)
				}
			}
		})
	}
}

func TestNewerSchemaIsNotOverwritten(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	future := `{"schemaVersion":2,"ref":"x"}`
	os.WriteFile(p, []byte(future), 0o644)
	err := manifest.WriteFile(p, &manifest.Ref{Name: "x", Digest: d1, CheckedAt: time.Now()})
	if !errors.Is(err, manifest.ErrSchema) {
		t.Fatalf("got %v, want ErrSchema", err)
	}
	if b, _ := os.ReadFile(p); string(b) != future {
		t.Fatalf("file changed to %s", b)
	}
}

func TestWriteLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	for i := range 3 {
		if err := manifest.WriteFile(p, &manifest.Ref{Name: "x", Digest: d1, CheckedAt: time.Unix(int64(i+1), 0)}); err != nil {
			t.Fatal(err)
		}
	}
	des, _ := os.ReadDir(dir)
	if len(des) != 1 {
		t.Fatalf("directory holds %d files, want 1", len(des))
	}
	if err := manifest.WriteFile(p, &manifest.Ref{Name: "x"}); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("invalid record written: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":1,"ref":"x","digest":"` + string(d1) + `","checkedAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"schemaVersion":1,"ref":"a","registry":"r","repository":"p","manifestDigest":"` + string(d1) + `","platform":"linux/amd64","layerDigest":"` + string(d2) + `","file":"/x","binarySha256":"` + string(d1) + `","size":3,"version":"","versionSource":"unknown","extractedAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"schemaVersion":99}`))
	f.Add([]byte(`{"schemaVersion":1,"binarySha256":"` + string(d1) + `","platform":"linux/amd64","version":"","versionSource":"unknown","methods":[{"method":"run","env":"linux/amd64 uid=0","reason":"--version did not finish within 5s"}],"probedAt":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, rec := range []manifest.Record{&manifest.Ref{}, &manifest.Entry{}, &manifest.Index{}, &manifest.Pin{}, &manifest.Probe{}} {
			if err := manifest.Decode(data, rec); err == nil {
				if verr := rec.Validate(); verr != nil {
					t.Fatalf("Decode accepted a record that does not validate: %v", verr)
				}
				if _, err := manifest.Encode(rec); err != nil {
					t.Fatalf("a decoded record does not encode: %v", err)
				}
			}
		}
	})
}

// TestProbeRecords: a probe record round-trips by the binary's digest, in
// a probes directory made on first write; one in a directory others may
// write is not believed; Check reads probe records like the others.
func TestProbeRecords(t *testing.T) {
	dir := t.TempDir()
	s, err := manifest.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Probe(d1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no probes yet: %v, want fs.ErrNotExist", err)
	}
	if _, problems, err := s.Check(context.Background()); err != nil || len(problems) != 0 {
		t.Fatalf("Check without a probes directory: %v %v", problems, err)
	}
	in := &manifest.Probe{BinarySHA256: d1, Platform: "linux/amd64", VersionSource: "unknown",
		Methods: []manifest.ProbeMethod{
			{Method: "run", Env: "linux/amd64 uid=0", Reason: "--version did not finish within 5s"},
			{Method: "engine", Env: "engine auto: unix:///var/run/docker.sock", NotApplicable: true, Reason: "not tried"},
		},
		ProbedAt: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	if err := s.PutProbe(in); err != nil {
		t.Fatal(err)
	}
	out, err := s.Probe(d1)
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("read back %+v, %v; wrote %+v", out, err, in)
	}
	if _, err := s.Probe(d2); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("another binary: %v, want fs.ErrNotExist", err)
	}
	if n, problems, err := s.Check(context.Background()); err != nil || len(problems) != 0 || n != 1 {
		t.Fatalf("Check: %d records, %v %v", n, problems, err)
	}
	if err := os.Chmod(filepath.Join(dir, "probes"), 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Probe(d1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a probes directory others may write: %v, want the record not believed", err)
	}
}
