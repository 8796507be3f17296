package resolver

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
)

// What one layer says about the binary, entry order within the layer
// included: the last entry at the binary's path wins, an entry below it
// makes it a directory, and whiteouts apply only to lower layers.
func TestScanTarVerdicts(t *testing.T) {
	file := func(n string) *tar.Header { return &tar.Header{Name: n, Typeflag: tar.TypeReg, Size: 4, Mode: 0o755} }
	dir := func(n string) *tar.Header { return &tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755} }
	wh := func(n string) *tar.Header { return &tar.Header{Name: n, Typeflag: tar.TypeReg} }
	tests := []struct {
		name    string
		entries []*tar.Header
		want    verdict
		refused bool
	}{
		{"file", []*tar.Header{file("openshell-sandbox")}, found, false},
		{"other files", []*tar.Header{dir("etc/"), file("etc/x")}, undecided, false},
		{"whiteout", []*tar.Header{wh(".wh.openshell-sandbox")}, absent, false},
		{"opaque root", []*tar.Header{wh(".wh..wh..opq")}, absent, false},
		{"explicit directory", []*tar.Header{dir("openshell-sandbox/")}, directory, false},
		{"implied directory", []*tar.Header{file("openshell-sandbox/x")}, directory, false},
		{"implied deeper", []*tar.Header{file("openshell-sandbox/a/b")}, directory, false},
		{"opaque marker inside", []*tar.Header{wh("openshell-sandbox/.wh..wh..opq")}, directory, false},
		{"whiteout inside", []*tar.Header{wh("openshell-sandbox/.wh.x")}, directory, false},
		{"directory then file", []*tar.Header{dir("openshell-sandbox/"), file("openshell-sandbox")}, found, false},
		{"below then file", []*tar.Header{file("openshell-sandbox/x"), file("openshell-sandbox")}, found, false},
		{"file then directory", []*tar.Header{file("openshell-sandbox"), dir("openshell-sandbox/")}, directory, false},
		{"file then below", []*tar.Header{file("openshell-sandbox"), file("openshell-sandbox/x")}, undecided, true},
		{"file then its whiteout", []*tar.Header{file("openshell-sandbox"), wh(".wh.openshell-sandbox")}, found, false},
		{"whiteout then file", []*tar.Header{wh(".wh.openshell-sandbox"), file("openshell-sandbox")}, found, false},
		{"directory then whiteout", []*tar.Header{file("openshell-sandbox/x"), wh(".wh..wh..opq")}, directory, false},
		{"sibling prefix", []*tar.Header{file("openshell-sandbox2/x")}, undecided, false},
	}
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fill, _, err := c.Begin(context.Background(), cache.Key{Manifest: digest.FromString(tc.name)})
			if err != nil {
				t.Fatal(err)
			}
			defer fill.Abort()
			v, err := r.scanTar(context.Background(), bufio.NewReader(bytes.NewReader(tarOf(tc.entries...))), fill, &bombGuard{ctx: context.Background(), left: r.cfg.maxLayerSize + 1})
			if v != tc.want || errors.Is(err, ErrRefused) != tc.refused || (err != nil && !tc.refused) {
				t.Fatalf("verdict %v, %v; want %v, refused %v", v, err, tc.want, tc.refused)
			}
		})
	}
}
