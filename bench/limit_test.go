package bench

import (
	"archive/tar"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"

	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestLimit checks that the limit extracts the right file with one request,
// so that what the benchmarks compare supctl with does the whole job.
func TestLimit(t *testing.T) {
	reg := registrytest.NewInProcess(t)
	want := bytes.Repeat([]byte("\x7fELF supervisor "), 40<<10)
	blob := gzipTar(t, []tarEntry{
		{name: "etc/", dir: true},
		{name: "etc/openshell-sandbox", body: []byte("not this one")},
		{name: "./openshell-sandbox", body: want},
	})
	layer := static.NewLayer(blob, types.OCILayer)
	repo, err := name.NewRepository(reg.Host() + "/bench/limit")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteLayer(repo, layer, remote.WithTransport(reg.Transport())); err != nil {
		t.Fatal(err)
	}
	d, err := layer.Digest()
	if err != nil {
		t.Fatal(err)
	}
	url := reg.URL() + "/v2/bench/limit/blobs/" + d.String()
	client := &http.Client{Transport: reg.Transport()}
	dir := t.TempDir()

	mark := reg.Mark()
	dest := filepath.Join(dir, "bin")
	n, err := Limit(t.Context(), client, url, "/openshell-sandbox", dest)
	if err != nil {
		t.Fatal(err)
	}
	reg.Sync()
	got, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(want)) || !bytes.Equal(got, want) {
		t.Errorf("Limit wrote %d bytes (%d in the file), want the %d of /openshell-sandbox", n, len(got), len(want))
	}
	if reqs := reg.Since(mark); len(reqs) != 1 || registrytest.CountBlobGets(reqs, d.String()) != 1 {
		t.Errorf("Limit made these requests, want one GET of the blob:\n%s", registrytest.FormatRequests(reqs))
	}

	// The same with an external inflater (gzip's flags, as igzip's).
	if gz, err := exec.LookPath("gzip"); err == nil {
		ext := filepath.Join(dir, "external")
		n, err := LimitWith(t.Context(), client, url, "/openshell-sandbox", ext, ExternalInflater(gz))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(ext); err != nil || n != int64(len(want)) || !bytes.Equal(got, want) {
			t.Errorf("LimitWith(gzip -d -c) wrote %d bytes (%d in the file, %v), want the %d of /openshell-sandbox", n, len(got), err, len(want))
		}
	}

	if _, err := Limit(t.Context(), client, url, "/missing", filepath.Join(dir, "missing")); err == nil {
		t.Error("Limit of a file the layer does not hold: no error")
	}
	if _, err := Limit(t.Context(), client, url, "/openshell-sandbox", dest); err == nil {
		t.Error("Limit over an existing file: no error")
	}
}

type tarEntry struct {
	name string
	dir  bool
	body []byte
}

// gzipTar makes a gzip-compressed tar stream of entries.
func gzipTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
