//go:build linux

package bench

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"

	"github.com/openshell-contrib/supctl/internal/fixture"
)

// realisticBlock is the unit of realisticPadding: each block is either
// random bytes or code-like text.
const realisticBlock = 32 << 10

// realisticRandomShare is the share of random blocks. With it, gzip (the
// fixture's default level) shrinks the padding to about half, as it does a
// release build of a Rust program (machine code and tables that compress
// little, strings and symbol-like data that compress well).
const realisticRandomShare = 0.36

// symbolWords are the fragments the code-like blocks are made of.
var symbolWords = strings.Fields(`core alloc std fmt Formatter Debug Display write_str Result Option
Some None Ok Err unwrap expect panic vec Vec String str slice iter Iterator next map collect into from
Box Arc Rc Mutex RwLock sync mpsc channel tokio runtime task spawn block_on Future poll Pending Ready
hyper http Request Response Body header HeaderMap serde de ser Deserialize Serialize visit_map
openshell sandbox supervisor policy seccomp landlock namespace mount proc sys net socket bind connect
read write close drop clone Clone Copy Default impl fn pub struct enum trait mod use crate self super
{{closure}} <impl as Trait>::method _ZN $LT$ $GT$ h1a2b3c4d5e6f7a8b E .rodata .text .eh_frame
/rustc/ /cargo/registry/src/index/ src/lib.rs src/main.rs called Option::unwrap() on a None value
index out of bounds: the len is but the index is attempt to add with overflow assertion failed`)

// realisticPadding writes n bytes that compress about as a real Rust
// release binary does, derived from seed.
func realisticPadding(w io.Writer, n int64, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var chacha [32]byte
	copy(chacha[:], fmt.Sprintf("supctl bench realistic %d", seed))
	random := rand.NewChaCha8(chacha)
	block := make([]byte, realisticBlock)
	phrases := codePhrases(rng, 4096)
	for n > 0 {
		b := block[:min(int64(len(block)), n)]
		if rng.Float64() < realisticRandomShare {
			random.Read(b)
		} else {
			fillCodeLike(b, rng, phrases)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		n -= int64(len(b))
	}
	return nil
}

// fillCodeLike fills b with symbol-like text: phrases of symbolWords
// joined by "::", picked with a skewed distribution (a few are common, as
// paths and symbol prefixes are in a binary), a hexadecimal hash now and
// then.
func fillCodeLike(b []byte, rng *rand.Rand, phrases []string) {
	zipf := rand.NewZipf(rng, 1.2, 1, uint64(len(phrases)-1))
	var buf bytes.Buffer
	for buf.Len() < len(b) {
		buf.WriteString(phrases[zipf.Uint64()])
		if rng.IntN(16) == 0 {
			fmt.Fprintf(&buf, "17h%08x", rng.Uint32())
		}
		buf.WriteByte(0)
	}
	copy(b, buf.Bytes())
}

// codePhrases makes n phrases of 2 to 5 symbolWords joined by "::".
func codePhrases(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		words := make([]string, 2+rng.IntN(4))
		for j := range words {
			words[j] = symbolWords[rng.IntN(len(symbolWords))]
		}
		out[i] = strings.Join(words, "::")
	}
	return out
}

// buildRealistic builds the report's 3-layer index whose binary for this
// machine's platform is the fixture's supervisor padded to size with
// realisticPadding, alone in the top gzip layer; the other platforms'
// images are the fixture's, unpadded. It returns the index and the binary.
func buildRealistic(ctx context.Context, size int64, buildDir string) (v1.ImageIndex, []byte, error) {
	b, err := fixture.Build(ctx, fixture.Options{Platforms: platforms(), BuildDir: buildDir})
	if err != nil {
		return nil, nil, err
	}
	adds := make([]mutate.IndexAddendum, 0, len(b.Platforms))
	var bin []byte
	for _, p := range b.Platforms {
		bi := b.Images[p.OS+"/"+p.Architecture]
		img := bi.Image
		if p.Architecture == platform().Architecture {
			img, bin, err = withRealisticTop(bi, size)
			if err != nil {
				return nil, nil, err
			}
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...), bin, nil
}

// withRealisticTop rebuilds bi's image with its top layer replaced by one
// holding its binary padded to size with realistic content.
func withRealisticTop(bi *fixture.BuiltImage, size int64) (v1.Image, []byte, error) {
	elf, err := os.ReadFile(bi.Binary)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(elf)) > size {
		return nil, nil, fmt.Errorf("the fixture's binary has %d bytes, more than %d", len(elf), size)
	}
	bin := bytes.NewBuffer(make([]byte, 0, size))
	bin.Write(elf)
	if err := realisticPadding(bin, size-int64(len(elf)), uint64(size)); err != nil {
		return nil, nil, err
	}
	var blob bytes.Buffer
	if err := layerTar(&blob, binaryName, bin.Bytes()); err != nil {
		return nil, nil, err
	}
	compressed := blob.Bytes()
	top, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(compressed)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, nil, err
	}
	layers, err := bi.Image.Layers()
	if err != nil {
		return nil, nil, err
	}
	cf, err := bi.Image.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	cf.RootFS.DiffIDs, cf.History = nil, nil
	base, err := mutate.ConfigFile(mutate.MediaType(empty.Image, types.OCIManifestSchema1), cf)
	if err != nil {
		return nil, nil, err
	}
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, append(layers[:len(layers)-1:len(layers)-1], top)...)
	return img, bin.Bytes(), err
}

// layerTar writes a gzip tar stream holding data as the executable name.
func layerTar(w io.Writer, name string, data []byte) error {
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	h := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(name, "/"), Mode: 0o755, Size: int64(len(data)),
		ModTime: time.Unix(0, 0), Uname: "root", Gname: "root"}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// TestRealisticPadding checks that the realistic padding compresses to about
// half, as a Rust release binary does.
func TestRealisticPadding(t *testing.T) {
	var raw, z bytes.Buffer
	if err := realisticPadding(&raw, 2<<20, 1); err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
	zw.Write(raw.Bytes())
	zw.Close()
	if r := float64(z.Len()) / float64(raw.Len()); r < 0.4 || r > 0.6 {
		t.Errorf("realistic padding compresses to %.2f of its size, want about half", r)
	}
}
