package resolver

import (
	"bytes"
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/registry"
)

// An imageSource is an image to search for the binary: its layers in
// manifest order (bottom first), its platform from its config, and each
// layer's compressed bytes, checked against the layer's digest at EOF.
type imageSource interface {
	layers() []v1.Descriptor
	platform(ctx context.Context) (*v1.Platform, error)
	open(ctx context.Context, desc v1.Descriptor) (io.ReadCloser, error)
}

// regImage is an image in a registry. Its platform is the index's entry
// when it was selected from an index, else its config's.
type regImage struct {
	c       *registry.Repo
	m       *v1.Manifest
	indexed *v1.Platform
}

func (i *regImage) layers() []v1.Descriptor { return i.m.Layers }

func (i *regImage) platform(ctx context.Context) (*v1.Platform, error) {
	if i.indexed != nil {
		return i.indexed, nil
	}
	raw, err := i.c.Config(ctx, i.m.Config)
	if err != nil {
		return nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the image config %s does not parse: %v: %w", i.m.Config.Digest, err, ErrRefused)
	}
	return cf.Platform(), nil
}

func (i *regImage) open(ctx context.Context, desc v1.Descriptor) (io.ReadCloser, error) {
	return i.c.Blob(ctx, desc), nil
}
