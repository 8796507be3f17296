package supervisor

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ProbeImage is the image [DockerCLI] runs binaries in when none is given:
// an empty root file system, imported into the engine on first use. A
// static binary needs nothing else.
const ProbeImage = "supctl-probe:empty"

// DockerCLI is a [ContainerRunner] that drives the docker command (or a
// compatible one such as podman). The binary must be on a path the engine
// can bind-mount: on Docker Desktop, a directory shared with its VM (the
// user's home is by default).
type DockerCLI struct {
	// Command is the engine's CLI; "" means "docker".
	Command string
	// Image is the image to run in; "" means [ProbeImage], created when
	// missing.
	Image string
}

// RunBinary runs path with args in a throwaway container: no network, no
// capabilities, a read-only root, an unprivileged user, the binary mounted
// read-only.
func (d DockerCLI) RunBinary(ctx context.Context, p string, _ v1.Platform, args ...string) ([]byte, error) {
	cli := d.command()
	if _, err := exec.LookPath(cli); err != nil {
		return nil, fmt.Errorf("supervisor: container engine CLI %q: %v: %w", cli, err, ErrNotApplicable)
	}
	img, err := d.image(ctx)
	if err != nil {
		return nil, err
	}
	dst := "/probe/" + path.Base(p)
	run := []string{"run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL",
		"--security-opt", "no-new-privileges", "--user", "65534:65534",
		"--mount", "type=bind,src=" + p + ",dst=" + dst + ",readonly",
		"--entrypoint", dst, img}
	cmd := exec.CommandContext(ctx, cli, append(run, args...)...)
	stdout, stderr := &capWriter{max: maxStdout}, &capWriter{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s run: %v: %s", cli, err, strings.TrimSpace(stderr.String()))
	}
	return []byte(stdout.String()), nil
}

func (d DockerCLI) command() string {
	if d.Command == "" {
		return "docker"
	}
	return d.Command
}

// image returns the image to run in, importing the empty probe image when
// it is missing. An engine that does not answer is not applicable.
func (d DockerCLI) image(ctx context.Context) (string, error) {
	if d.Image != "" {
		return d.Image, nil
	}
	cli := d.command()
	var stderr bytes.Buffer
	inspect := exec.CommandContext(ctx, cli, "image", "inspect", "--format", "{{.Id}}", ProbeImage)
	inspect.Stderr = &stderr
	if inspect.Run() == nil {
		return ProbeImage, nil
	}
	if ping := exec.CommandContext(ctx, cli, "version"); ping.Run() != nil {
		return "", fmt.Errorf("supervisor: the container engine does not answer %q: %w", cli+" version", ErrNotApplicable)
	}
	var empty bytes.Buffer
	if err := tar.NewWriter(&empty).Close(); err != nil {
		return "", err
	}
	imp := exec.CommandContext(ctx, cli, "import", "-", ProbeImage)
	imp.Stdin = &empty
	stderr.Reset()
	imp.Stderr = &stderr
	if err := imp.Run(); err != nil {
		return "", fmt.Errorf("supervisor: creating the probe image %s: %v: %s", ProbeImage, err, strings.TrimSpace(stderr.String()))
	}
	return ProbeImage, nil
}

var _ ContainerRunner = DockerCLI{}
