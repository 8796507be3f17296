package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// ErrImageNotFound reports an image the engine does not have. It also
// matches [fs.ErrNotExist].
var ErrImageNotFound = fmt.Errorf("image not in the engine: %w", fs.ErrNotExist)

// LocalImage is an image as the engine holds it.
type LocalImage struct {
	// ID is the image's ID: the digest of its configuration, which any
	// rebuild changes.
	ID       string      `json:"id"`
	Platform v1.Platform `json:"platform"`
	RepoTags []string    `json:"repo_tags,omitempty"`
	// RepoDigests are the registry digests the image is known by, if it
	// was pulled or pushed (none for an image built here and never pushed).
	RepoDigests []string `json:"repo_digests,omitempty"`
}

// Image asks the engine about the image ref ("openshell/supervisor:dev",
// an image ID). An image it does not have is an error wrapping
// [ErrImageNotFound].
func (e *Engine) Image(ctx context.Context, ref string) (LocalImage, error) {
	img, err := e.cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return LocalImage{}, fmt.Errorf("%s: %w", ref, ErrImageNotFound)
	}
	if err != nil {
		return LocalImage{}, fmt.Errorf("inspecting image %s in the engine at %s: %w", ref, e.ep.Host, err)
	}
	return LocalImage{ID: img.ID, Platform: v1.Platform{OS: img.Os, Architecture: img.Architecture, Variant: img.Variant},
		RepoTags: img.RepoTags, RepoDigests: img.RepoDigests}, nil
}

// ReadFile streams the file at the absolute path file of image id (an
// image ID, so that what is read is exactly the image inspected) to fn as
// the engine archives it: a tar stream holding that one entry, which may be
// a symlink or a directory as well as a file; fn must check. It creates a
// container of the image that is never started, reads through the
// engine's archive endpoint, and removes the container in every case. No
// other part of the image is transferred.
func (e *Engine) ReadFile(ctx context.Context, id, file string, fn func(tar io.Reader) error) (err error) {
	if !path.IsAbs(file) {
		return fmt.Errorf("%q is not an absolute path", file)
	}
	e.sweep(ctx)
	name, err := containerName()
	if err != nil {
		return err
	}
	created, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name,
		Config: &container.Config{
			Image:           id,
			Entrypoint:      []string{file},
			NetworkDisabled: true,
			Labels:          labels(nil, readDeadline(ctx)),
		},
		HostConfig: &container.HostConfig{NetworkMode: "none", CapDrop: []string{"ALL"}, ReadonlyRootfs: true, LogConfig: container.LogConfig{Type: "none"}},
	})
	if err != nil {
		return fmt.Errorf("creating a container of image %s to read %s: %w", id, file, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
		defer cancel()
		if _, rerr := e.cli.ContainerRemove(rctx, created.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); rerr != nil {
			err = errors.Join(err, fmt.Errorf("removing container %s: %w; remove it with \"docker rm -fv %s\"", name, rerr, name))
		}
	}()
	res, err := e.cli.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: file})
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("image %s has no %s: %w", id, file, fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("reading %s from image %s: %w", file, id, err)
	}
	defer res.Content.Close()
	return fn(res.Content)
}

// LoadImage loads images from r, a tar archive in the format of "docker
// save", into the engine, as "docker load" does.
func (e *Engine) LoadImage(ctx context.Context, r io.Reader) error {
	res, err := e.cli.ImageLoad(ctx, r, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("loading an image into the engine at %s: %w", e.ep.Host, err)
	}
	defer res.Close()
	msg, err := io.ReadAll(io.LimitReader(res, 64<<10))
	if err != nil {
		return fmt.Errorf("loading an image: %w", err)
	}
	if i := strings.Index(string(msg), `"error`); i >= 0 {
		return fmt.Errorf("loading an image: %s", strings.TrimSpace(string(msg[i:])))
	}
	return nil
}

// RemoveImage removes the image ref from the engine, as "docker rmi -f"
// does. An image that is not there is not an error.
func (e *Engine) RemoveImage(ctx context.Context, ref string) error {
	_, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing image %s: %w", ref, err)
	}
	return nil
}

// readDeadline is when a ReadFile of ctx is over at the latest.
func readDeadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(10 * time.Minute)
}
