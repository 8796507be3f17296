package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

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
	content   string // what pads the binary: contentRandom or contentRealistic
}

// via returns img as reached through host (a proxy) instead of from.
func (img image) via(from, host string) image {
	img.ref = strings.Replace(img.ref, from, host, 1)
	img.digestRef = strings.Replace(img.digestRef, from, host, 1)
	img.blobURL = strings.Replace(img.blobURL, from, host, 1)
	return img
}

// ratio is the top layer's compressed size over the binary's size.
func (img image) ratio() float64 { return float64(img.layerSize) / float64(img.size) }

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
	bin, err := os.ReadFile(b.Images[platformString()].Binary)
	if err != nil {
		return image{}, err
	}
	return pushIndex(ctx, host, url, repo, b.Index, bin, push)
}

// pushIndex pushes idx as REPO:bench and describes it; bin is the binary
// of this machine's platform.
func pushIndex(ctx context.Context, host, url, repo string, index v1.ImageIndex, bin []byte, push pushFunc) (image, error) {
	ref := host + "/" + repo + ":bench"
	if err := push(ctx, ref, index); err != nil {
		return image{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	idx, err := index.Digest()
	if err != nil {
		return image{}, err
	}
	img, err := index.Image(hostManifest(index))
	if err != nil {
		return image{}, err
	}
	md, err := img.Digest()
	if err != nil {
		return image{}, err
	}
	layers, err := img.Layers()
	if err != nil {
		return image{}, err
	}
	top, err := layers[len(layers)-1].Digest()
	if err != nil {
		return image{}, err
	}
	lsize, err := layers[len(layers)-1].Size()
	if err != nil {
		return image{}, err
	}
	label := fmt.Sprintf("%d MiB", len(bin)>>20)
	if len(bin) < 1<<20 {
		label = fmt.Sprintf("%.1f MiB", float64(len(bin))/(1<<20))
	}
	sum := sha256.Sum256(bin)
	return image{
		label:     label,
		repo:      repo,
		ref:       ref,
		digestRef: host + "/" + repo + "@" + idx.String(),
		manifest:  md.String(),
		layer:     top.String(),
		layerSize: lsize,
		layers:    len(layers),
		blobURL:   url + "/v2/" + repo + "/blobs/" + top.String(),
		size:      int64(len(bin)),
		sha256:    hex.EncodeToString(sum[:]),
		content:   contentRandom,
	}, nil
}

// hostManifest is the digest of idx's manifest for this machine's
// platform.
func hostManifest(idx v1.ImageIndex) v1.Hash {
	m, err := idx.IndexManifest()
	if err != nil {
		return v1.Hash{}
	}
	for _, d := range m.Manifests {
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == runtime.GOARCH {
			return d.Digest
		}
	}
	return v1.Hash{}
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

// Content kinds of the report's images.
const (
	contentRandom    = "incompressible"
	contentRealistic = "realistic"
)
