package resolver

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"path"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
)

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"openshell-sandbox", "./openshell-sandbox", "/../x", "../../x", "a/../../x", "a/b/../c", "", "/", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, n string) {
		p, ok := cleanName(n)
		if !ok {
			return
		}
		if !path.IsAbs(p) || path.Clean(p) != p || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
			t.Fatalf("cleanName(%q) = %q", n, p)
		}
	})
}

// tarOf builds a tar stream of the given entries.
func tarOf(entries ...*tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		tw.WriteHeader(h)
		if h.Typeflag == tar.TypeReg {
			tw.Write(bytes.Repeat([]byte{0x7f}, int(h.Size)))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func FuzzScanTar(f *testing.F) {
	f.Add(tarOf(&tar.Header{Name: "openshell-sandbox", Typeflag: tar.TypeReg, Size: 10, Mode: 0o755}))
	f.Add(tarOf(&tar.Header{Name: ".wh.openshell-sandbox", Typeflag: tar.TypeReg}))
	f.Add(tarOf(&tar.Header{Name: ".wh..wh..opq", Typeflag: tar.TypeReg}, &tar.Header{Name: "openshell-sandbox", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}))
	f.Add(tarOf(&tar.Header{Name: "../../openshell-sandbox", Typeflag: tar.TypeReg, Size: 3}))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0})
	c, err := cache.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	r, err := New(c, WithLimits(Limits{Binary: 1 << 10, Layer: 1 << 20}))
	if err != nil {
		f.Fatal(err)
	}
	fill, _, err := c.Begin(context.Background(), cache.Key{Manifest: digest.FromString("fuzz")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { fill.Abort() })
	f.Fuzz(func(t *testing.T, data []byte) {
		if fill.Size() > 0 {
			fill.Reset()
		}
		v, err := r.scanTar(context.Background(), bufio.NewReader(bytes.NewReader(data)), fill, &bombGuard{ctx: context.Background(), left: r.cfg.maxLayerSize + 1})
		if err != nil && v != undecided {
			t.Fatalf("verdict %v with error %v", v, err)
		}
		if v == found && fill.Size() > 1<<10 {
			t.Fatalf("took %d bytes, over the limit", fill.Size())
		}
		if v != found && err == nil && fill.Size() > 0 && !bytes.Contains(data, []byte("openshell-sandbox")) {
			t.Fatalf("wrote %d bytes without finding the binary", fill.Size())
		}
	})
}

// FuzzParsePlatform: a platform parses only in the form it prints.
func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm64/v8", "linux", "linux//v8", " linux/amd64", "linux/amd64/", "windows/amd64:10.0", "a/b/c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			return
		}
		if p.OS == "" || p.Architecture == "" || p.OSVersion != "" || p.String() != s || strings.Count(s, "/") > 2 {
			t.Fatalf("ParsePlatform(%q) = %+v", s, p)
		}
	})
}

func TestParsePlatform(t *testing.T) {
	for s, want := range map[string]string{
		"linux/amd64": "linux/amd64", "linux/arm64/v8": "linux/arm64/v8",
		"linux": "", "linux//v8": "", " linux/amd64": "", "linux/amd64/": "", "windows/amd64:10.0": "", "a/b/c/d": "", "": "",
	} {
		p, err := ParsePlatform(s)
		if got := p.String(); got != want || (err == nil) != (want != "") {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
}
