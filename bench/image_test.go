package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
)

// binaryName is the binary's path in the fixture images.
const binaryName = fixture.DefaultBinaryPath

// image is a supervisor image pushed to a registry, as the benchmarks need
// to know it.
type image struct {
	label     string // "40 MiB"
	repo      string // "openshell/supervisor40"
	ref       string // tag reference, "HOST/REPO:bench"
	digestRef string // the index by digest, "HOST/REPO@sha256:…"
	manifest  string // digest of this platform's image manifest
	layer     string // digest of the top layer, which holds the binary alone
	layerSize int64  // its compressed size
	layers    int    // number of layers
	blobURL   string // where the limit GETs the top layer
	size      int64  // the binary's size
	sha256    string // its hex SHA-256
}

// platform is the platform every contender asks for: this machine's.
func platform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

func platformString() string { return "linux/" + runtime.GOARCH }

// platforms are the fixture index's platforms: amd64 and arm64, and this
// machine's if it is neither.
func platforms() []v1.Platform {
	ps := fixture.DefaultPlatforms()
	if !slices.ContainsFunc(ps, func(p v1.Platform) bool { return p.Architecture == runtime.GOARCH }) {
		ps = append(ps, platform())
	}
	return ps
}

// pushFunc uploads an index to a full reference.
type pushFunc func(ctx context.Context, ref string, idx v1.ImageIndex) error

// buildAndPush builds a 3-layer supervisor index whose binary, padded with
// incompressible bytes to size (0: unpadded), sits alone in the top gzip
// layer, pushes it as REPO:bench to the registry at host (reached over
// plain HTTP at url) and describes it. The fixture's binaries go to
// buildDir.
func buildAndPush(ctx context.Context, host, url, repo string, size int64, buildDir string, push pushFunc) (image, error) {
	b, err := fixture.Build(ctx, fixture.Options{Platforms: platforms(), Size: size, BuildDir: buildDir})
	if err != nil {
		return image{}, err
	}
	ref := host + "/" + repo + ":bench"
	if err := push(ctx, ref, b.Index); err != nil {
		return image{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	im := b.Images[platformString()]
	idx, err := b.Index.Digest()
	if err != nil {
		return image{}, err
	}
	md, err := im.Image.Digest()
	if err != nil {
		return image{}, err
	}
	top := im.Layers[len(im.Layers)-1]
	layers, err := im.Image.Layers()
	if err != nil {
		return image{}, err
	}
	lsize, err := layers[len(layers)-1].Size()
	if err != nil {
		return image{}, err
	}
	fi, err := os.Stat(im.Binary)
	if err != nil {
		return image{}, err
	}
	label := fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20))
	if size > 0 {
		label = fmt.Sprintf("%d MiB", size>>20)
	}
	return image{
		label:     label,
		repo:      repo,
		ref:       ref,
		digestRef: host + "/" + repo + "@" + idx.String(),
		manifest:  md.String(),
		layer:     top.String(),
		layerSize: lsize,
		layers:    len(im.Layers),
		blobURL:   url + "/v2/" + repo + "/blobs/" + top.String(),
		size:      fi.Size(),
		sha256:    im.BinaryDigest.Hex,
	}, nil
}

// removeAll removes a run's directory, read-only cache directories
// included.
func removeAll(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
