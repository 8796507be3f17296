package engine

import (
	"context"
	"os"
	"path/filepath"
)

// Diagnosis is what [Diagnose] found out about the engine.
type Diagnosis struct {
	Kind Kind `json:"kind"`
	// Endpoint is the endpoint discovery chose (nil if it chose none).
	Endpoint *Endpoint `json:"endpoint,omitempty"`
	// Info is what the engine said (nil if it did not answer).
	Info *Info `json:"info,omitempty"`
	// DockerSocket is [DockerSocket] as found on this host: whether it
	// exists and where it leads, whichever endpoint was chosen.
	DockerSocket SocketState `json:"docker_socket"`
	// Err is why there is no usable engine (nil if there is one).
	Err error `json:"-"`
}

// SocketState is a socket path as found on this host.
type SocketState struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Target string `json:"target,omitempty"` // where the symlink leads, "" if not a symlink
	// Dangling: the path is a symlink to nothing.
	Dangling bool `json:"dangling,omitempty"`
}

// Diagnose discovers and opens the engine as [Open] does, keeping what it
// learned at each step instead of stopping at the first failure. It runs
// nothing in the engine.
func Diagnose(ctx context.Context, opts ...Option) Diagnosis {
	cfg := config{kind: Auto, timeout: DefaultOpenTimeout}
	d := Diagnosis{DockerSocket: socketState(DockerSocket)}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			d.Err = err
			return d
		}
	}
	d.Kind = cfg.kind
	env := FromOS()
	if cfg.env != nil {
		env = *cfg.env
	}
	ep, err := Discover(cfg.kind, env)
	if err != nil {
		d.Err = err
		return d
	}
	ep.APIVersion = env.APIVersion
	d.Endpoint = &ep
	e, err := connect(ctx, config{kind: Auto, timeout: cfg.timeout}, ep)
	if err != nil {
		d.Err = err
		return d
	}
	defer e.Close()
	info := e.Info()
	d.Info = &info
	if !cfg.kind.accepts(info.Product) {
		d.Err = &ProductError{Want: cfg.kind, Got: info, Endpoint: ep}
	}
	return d
}

func socketState(p string) SocketState {
	s := SocketState{Path: p}
	if _, err := os.Lstat(p); err != nil {
		return s
	}
	s.Exists = true
	if dest, err := os.Readlink(p); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			s.Target = real
		} else {
			s.Target, s.Dangling = dest, true
		}
	} else if real, err := filepath.EvalSymlinks(p); err == nil && real != p {
		s.Target = real
	}
	return s
}
