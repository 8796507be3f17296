package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The probe image. [Engine.Run] runs binaries in an image this package
// makes itself, so an engine with no images and no registry works: a root
// file system holding only the empty directories /probe and /tmp,
// loaded once per platform as ProbeRepository:ProbeTag-OS-ARCH[-VARIANT]
// (for example "supctl-probe:1-linux-amd64") with the label [LabelProbe]
// set to ProbeTag. It stays in the engine and is reused; removing it is
// harmless (the next run loads it again).
const (
	ProbeRepository = "supctl-probe"
	ProbeTag        = "1"
	// LabelProbe marks the probe images and every container this package
	// creates, so they can be found ("label=org.openshell.supctl.probe").
	LabelProbe = "org.openshell.supctl.probe"
)

// ProbeImage is the probe image's reference for platform p.
func ProbeImage(p v1.Platform) string {
	s := ProbeRepository + ":" + ProbeTag + "-" + p.OS + "-" + p.Architecture
	if p.Variant != "" {
		s += "-" + p.Variant
	}
	return s
}

// probeImage returns the probe image for p, importing it when the engine
// does not have it (or has an image of that name that is not ours).
func (e *Engine) probeImage(ctx context.Context, p v1.Platform) (string, error) {
	ref := ProbeImage(p)
	img, err := e.cli.ImageInspect(ctx, ref)
	switch {
	case err == nil && img.Config != nil && img.Config.Labels[LabelProbe] == ProbeTag &&
		img.Os == p.OS && img.Architecture == p.Architecture:
		return ref, nil
	case err != nil && !cerrdefs.IsNotFound(err):
		return "", fmt.Errorf("looking up the probe image %s: %w", ref, err)
	}
	var archive bytes.Buffer
	if err := probeArchive(&archive, ref, p); err != nil {
		return "", fmt.Errorf("making the probe image %s: %w", ref, err)
	}
	if err := e.LoadImage(ctx, &archive); err != nil {
		return "", fmt.Errorf("the probe image %s: %w", ref, err)
	}
	return ref, nil
}

// probeArchive writes the probe image for p, tagged ref, in the format of
// "docker save", which every engine loads whatever its version.
func probeArchive(w io.Writer, ref string, p v1.Platform) error {
	rootfs, err := probeRootFS()
	if err != nil {
		return err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(rootfs)), nil
	}, tarball.WithCompressedCaching)
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Config.Labels = map[string]string{LabelProbe: ProbeTag}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return err
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		return err
	}
	return tarball.Write(tag, img, w)
}

// probeRootFS is the probe image's root file system as a tar.
func probeRootFS() ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, d := range []string{"probe/", "tmp/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
