package engine

import (
	"errors"
	"strings"
	"testing"
)

// FuzzEndpoint: any DOCKER_HOST value gives an endpoint that names it, or
// ErrBadEndpoint; never a panic.
func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{"unix:///var/run/docker.sock", "tcp://127.0.0.1:2375", "ssh://me@host", "npipe:////./pipe/docker_engine", "://", "unix://", "/x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ep, err := hostEndpoint(host, SourceDockerHost, "")
		switch {
		case err != nil && !errors.Is(err, ErrBadEndpoint):
			t.Fatalf("%q: %v is not ErrBadEndpoint", host, err)
		case err == nil && (ep.Host != host || ep.Source != SourceDockerHost):
			t.Fatalf("%q: endpoint %+v", host, ep)
		case err == nil && strings.HasPrefix(host, "unix://") && "unix://"+ep.Socket != host:
			t.Fatalf("%q: socket %q", host, ep.Socket)
		}
	})
}

// FuzzContextFiles: the decoders of config.json and meta.json never panic,
// and a context's host is never empty.
func FuzzContextFiles(f *testing.F) {
	f.Add([]byte(`{"currentContext":"desktop-linux"}`))
	f.Add([]byte(`{"Name":"x","Endpoints":{"docker":{"Host":"unix:///x.sock"}}}`))
	f.Add([]byte(`{"Endpoints":{"docker":null}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		currentContext(b)
		if h, err := contextHost(b); err == nil && h == "" {
			t.Fatalf("%q: empty host and no error", b)
		}
	})
}
