package engine

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/openshell-contrib/supctl/internal/reexec"
)

// The probe container's reaper: a small process of the current program,
// started before the container is created, that holds the read end of a
// pipe from this process. When the run is over, this process writes one
// byte and closes the pipe, and the reaper exits. When this process dies
// first — kill -9 included — the kernel closes the pipe without the byte,
// and the reaper force-removes the container through the Engine API, so
// a hung binary does not outlive supctl. It runs in a process group of its
// own, so a signal to supctl's group does not reach it, and it does
// nothing else. Where the reaper cannot start (not Linux), the sweep of
// expired containers (see [LabelExpires]) remains the only remedy.
const reaperName = "engine-reaper"

func init() { reexec.Handle(reaperName, reaperMain) }

// reaperDone is the byte that tells the reaper the run is over.
const reaperDone = 'd'

// reaper is a started reaper.
type reaper struct {
	cmd *exec.Cmd
	w   io.WriteCloser
}

// startReaper starts a reaper for the container name, or returns nil when
// it cannot (the run goes on without one).
func (e *Engine) startReaper(name string) *reaper {
	// Not the run's context: its end must not kill the reaper.
	cmd := reexec.Command(context.Background(), reaperName, e.ep.Host, e.ep.TLS, e.cli.ClientVersion(), name)
	setOwnGroup(cmd)
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil
	}
	if err := cmd.Start(); err != nil {
		return nil
	}
	return &reaper{cmd: cmd, w: w}
}

// done tells the reaper the container is dealt with, and waits for it to
// exit.
func (r *reaper) done() {
	if r == nil {
		return
	}
	r.w.Write([]byte{reaperDone})
	r.w.Close()
	t := time.AfterFunc(removeTimeout, func() { r.cmd.Process.Kill() })
	defer t.Stop()
	r.cmd.Wait()
}

// reaperMain is the reaper process: os.Args[1:] are the engine's host, its
// TLS directory (or ""), the API version and the container's name.
func reaperMain() int {
	if len(os.Args) != 5 {
		return 2
	}
	ignoreSignals()
	var b [1]byte
	if n, _ := io.ReadFull(os.Stdin, b[:]); n == 1 && b[0] == reaperDone {
		return 0
	}
	host, tls, api, name := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	opts := []client.Opt{client.WithHost(host), client.WithUserAgent("supctl")}
	if api != "" {
		opts = append(opts, client.WithAPIVersion(api))
	}
	if tls != "" {
		opts = append(opts, client.WithTLSClientConfig(filepath.Join(tls, "ca.pem"), filepath.Join(tls, "cert.pem"), filepath.Join(tls, "key.pem")))
	}
	cli, err := client.New(opts...)
	if err != nil {
		return 1
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	if _, err := cli.ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return 1
	}
	return 0
}
