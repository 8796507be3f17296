package engine

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/openshell-contrib/supctl/supervisor"
)

// Limits of one [Engine.Run].
const (
	// DefaultContainerTimeout bounds a whole [Engine.Run] (the
	// container's creation, start, run and wait) when [RunSpec.Timeout] is
	// not set. A confined run on this host has its own,
	// shorter bound, the supervisor package's DefaultRunTimeout.
	DefaultContainerTimeout = 30 * time.Second
	MaxOutput               = 4 << 10   // bytes of stdout, and of stderr, kept
	MemoryLimit             = 256 << 20 // bytes of memory the container may use
	PidsLimit               = 64        // processes the container may have
	// User is the container's uid:gid, the conventional "nobody".
	User = "65534:65534"
	// removeTimeout bounds the removal of a container.
	removeTimeout = 15 * time.Second
)

// RunSpec says what [Engine.Run] runs.
type RunSpec struct {
	// Binary is the path of a static executable on this host.
	Binary string
	// Platform is the binary's; the container is created for it (default:
	// the engine's).
	Platform v1.Platform
	// Dest is the binary's path in the container (default
	// /probe/<base name of Binary>).
	Dest string
	// Args are the binary's arguments.
	Args []string
	// Mount bind-mounts Binary read-only at Dest instead of copying it in.
	// Only an engine that sees this host's files can do that; when the
	// engine refuses the mount, Run copies the binary in instead.
	Mount bool
	// Timeout bounds the run, container creation and start included
	// (default [DefaultContainerTimeout]).
	Timeout time.Duration
	// Labels are set on the container besides [LabelProbe].
	Labels map[string]string
}

// RunResult is what a binary printed and how it ended.
type RunResult struct {
	Stdout, Stderr []byte // at most [MaxOutput] bytes each
	Truncated      bool   // more output was discarded
	ExitCode       int
	Copied         bool // the binary was copied in rather than mounted
}

// Run runs spec.Binary in a throwaway container of the probe image (see
// [ProbeImage]) and waits for it to exit. The container has no network,
// no capabilities, a read-only root file system, user [User],
// no-new-privileges, at most [PidsLimit] processes and [MemoryLimit]
// bytes, no log driver, and the platform of the binary. The binary is
// either copied into an anonymous volume at the directory of Dest (mode
// 0555, owned by root, so the user cannot change it; this works with a
// remote engine or one in a VM) or, with spec.Mount, bind-mounted
// read-only. The container and its volume are removed in every case:
// success, failure, timeout and cancellation of ctx.
//
// A binary the engine cannot execute ("exec format error": an
// architecture the engine has no emulation for) is an error wrapping
// [ErrCannotRun] and [supervisor.ErrNotApplicable]. A non-zero exit is
// not an error: see RunResult.ExitCode.
func (e *Engine) Run(ctx context.Context, spec RunSpec) (RunResult, error) {
	if spec.Timeout <= 0 {
		spec.Timeout = DefaultContainerTimeout
	}
	if spec.Dest == "" {
		spec.Dest = "/probe/" + path.Base(spec.Binary)
	}
	if spec.Platform.OS == "" && spec.Platform.Architecture == "" {
		spec.Platform = v1.Platform{OS: e.info.OS, Architecture: e.info.Arch}
	}
	if !path.IsAbs(spec.Dest) || path.Dir(spec.Dest) == "/" {
		return RunResult{}, fmt.Errorf("destination %q must be an absolute path below a directory", spec.Dest)
	}
	if _, err := os.Stat(spec.Binary); err != nil {
		return RunResult{}, fmt.Errorf("%w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	e.sweep(ctx)
	img, err := e.probeImage(ctx, spec.Platform)
	if err != nil {
		return RunResult{}, e.ctxErr(ctx, spec, err)
	}
	res, err := e.run(ctx, img, spec, !spec.Mount)
	if err != nil && spec.Mount && !errors.Is(err, ErrCannotRun) && ctx.Err() == nil {
		// The engine may not see this host's files (a VM, a remote host).
		res, err = e.run(ctx, img, spec, true)
	}
	return res, err
}

func (e *Engine) run(ctx context.Context, img string, spec RunSpec, copyIn bool) (res RunResult, err error) {
	res.Copied = copyIn
	deadline, _ := ctx.Deadline()
	pids := int64(PidsLimit)
	hc := &container.HostConfig{
		NetworkMode:    "none",
		CapDrop:        []string{"ALL"},
		ReadonlyRootfs: true,
		SecurityOpt:    []string{"no-new-privileges"},
		LogConfig:      container.LogConfig{Type: "none"},
		Resources:      container.Resources{Memory: MemoryLimit, PidsLimit: &pids, Ulimits: probeUlimits()},
	}
	if copyIn {
		hc.Mounts = []mount.Mount{{Type: mount.TypeVolume, Target: path.Dir(spec.Dest)}}
	} else {
		hc.Mounts = []mount.Mount{{Type: mount.TypeBind, Source: spec.Binary, Target: spec.Dest, ReadOnly: true}}
	}
	name, err := containerName()
	if err != nil {
		return res, err
	}
	// Before the container exists: should this process die, the reaper
	// removes it (see reaper.go). Deferred first, so it runs last.
	defer e.startReaper(name).done()
	created, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name,
		Config: &container.Config{
			Image:           img,
			Entrypoint:      []string{spec.Dest},
			Cmd:             spec.Args,
			Env:             []string{},
			User:            User,
			WorkingDir:      "/",
			AttachStdout:    true,
			AttachStderr:    true,
			NetworkDisabled: true,
			Labels:          labels(spec.Labels, deadline),
		},
		HostConfig: hc,
		Platform:   &ocispec.Platform{OS: spec.Platform.OS, Architecture: spec.Platform.Architecture, Variant: spec.Platform.Variant},
	})
	if err != nil {
		return res, e.ctxErr(ctx, spec, fmt.Errorf("creating a container: %w", err))
	}
	defer func() {
		// A fresh context: the removal must happen after a timeout or
		// cancellation too.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
		defer cancel()
		if _, rerr := e.cli.ContainerRemove(rctx, created.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); rerr != nil {
			err = errors.Join(err, fmt.Errorf("removing container %s: %w; remove it with \"docker rm -fv %s\"", name, rerr, name))
		}
	}()
	if copyIn {
		if err := e.copyIn(ctx, created.ID, spec); err != nil {
			return res, e.ctxErr(ctx, spec, err)
		}
	}
	att, err := e.cli.ContainerAttach(ctx, created.ID, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return res, e.ctxErr(ctx, spec, fmt.Errorf("attaching to the container: %w", err))
	}
	defer att.Close()
	wait := e.cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	stdout, stderr := &capWriter{max: MaxOutput}, &capWriter{max: MaxOutput}
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(stdout, stderr, att.Reader)
		copied <- err
	}()
	if _, err := e.cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return res, e.ctxErr(ctx, spec, e.startErr(spec, err.Error(), fmt.Errorf("starting the container: %w", err)))
	}
	select {
	case w := <-wait.Result:
		res.ExitCode = int(w.StatusCode)
		if w.Error != nil && w.Error.Message != "" {
			return res, fmt.Errorf("waiting for the container: %s", w.Error.Message)
		}
	case err := <-wait.Error:
		return res, e.ctxErr(ctx, spec, fmt.Errorf("waiting for the container: %w", err))
	case <-ctx.Done():
		return res, e.ctxErr(ctx, spec, ctx.Err())
	}
	// The output stream ends when the container has exited.
	select {
	case <-copied:
	case <-ctx.Done():
		return res, e.ctxErr(ctx, spec, ctx.Err())
	}
	res.Stdout, res.Stderr = stdout.bytes(), stderr.bytes()
	res.Truncated = stdout.dropped || stderr.dropped
	if res.ExitCode != 0 && strings.Contains(string(res.Stderr), "exec format error") {
		return res, e.startErr(spec, string(res.Stderr), nil)
	}
	return res, nil
}

// startErr turns "exec format error" into [ErrCannotRun]; other errors
// are returned as they are.
func (e *Engine) startErr(spec RunSpec, msg string, err error) error {
	if !strings.Contains(msg, "exec format error") {
		return err
	}
	return &CannotRunError{Engine: e.info, Endpoint: e.ep, Platform: platformString(spec.Platform)}
}

// ctxErr says that the run timed out, or returns ctx's error when ctx
// was cancelled, or err with the engine named.
func (e *Engine) ctxErr(ctx context.Context, spec RunSpec, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("running %s in the engine at %s took longer than %v: %w", spec.Binary, e.ep.Host, spec.Timeout, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, new(*CannotRunError)):
		return err // it names the engine
	}
	return fmt.Errorf("%s at %s: %w", e.info.Product, e.ep.Host, err)
}

// copyIn streams the binary into the container's volume as a tar of one
// file, mode 0555, owned by root.
func (e *Engine) copyIn(ctx context.Context, id string, spec RunSpec) error {
	f, err := os.Open(spec.Binary)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", spec.Binary)
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Base(spec.Dest), Mode: 0o555, Size: fi.Size(), ModTime: fi.ModTime(), Format: tar.FormatPAX})
		if err == nil {
			_, err = io.Copy(tw, io.LimitReader(f, fi.Size()))
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	defer pr.Close()
	if _, err := e.cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: path.Dir(spec.Dest), Content: pr}); err != nil {
		return fmt.Errorf("copying %s into the container: %w", spec.Binary, err)
	}
	return nil
}

// RunBinary runs path with args in a throwaway container as [Engine.Run]
// does, copying the binary in, and returns its standard output. It
// implements [supervisor.ContainerRunner]. A non-zero exit is an error
// that quotes the start of standard error.
func (e *Engine) RunBinary(ctx context.Context, p string, pl v1.Platform, args ...string) ([]byte, error) {
	res, err := e.Run(ctx, RunSpec{Binary: p, Platform: pl, Args: args})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("%s exited with status %d in the container: %q", p, res.ExitCode, firstLine(res.Stderr))
	}
	return res.Stdout, nil
}

var _ supervisor.ContainerRunner = (*Engine)(nil)

func containerName() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "supctl-probe-" + hex.EncodeToString(b[:]), nil
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// capWriter keeps the first max bytes written to it and drops the rest.
type capWriter struct {
	max     int
	buf     []byte
	dropped bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		if len(p) > room {
			w.buf = append(w.buf, p[:room]...)
			w.dropped = true
		} else {
			w.buf = append(w.buf, p...)
		}
	} else if len(p) > 0 {
		w.dropped = true
	}
	return len(p), nil
}

func (w *capWriter) bytes() []byte { return w.buf }
