package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// writeContext writes a Docker configuration directory whose current
// context is name, with endpoint host.
func writeContext(t *testing.T, name, host string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths":{},"currentContext":"`+name+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o700); err != nil {
		t.Fatal(err)
	}
	doc := `{"Name":"` + name + `","Metadata":{"Description":"test"},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDiscover(t *testing.T) {
	ctxDir := writeContext(t, "desktop-linux", "unix:///tmp/supctl-test-desktop.sock")
	tests := []struct {
		name string
		kind Kind
		env  Env
		want Endpoint
	}{
		{"DOCKER_HOST", Auto, Env{DockerHost: "tcp://127.0.0.1:2375", DockerConfig: ctxDir},
			Endpoint{Host: "tcp://127.0.0.1:2375", Source: SourceDockerHost}},
		{"unix DOCKER_HOST", Docker, Env{DockerHost: "unix:///tmp/x.sock"},
			Endpoint{Host: "unix:///tmp/x.sock", Source: SourceDockerHost, Socket: "/tmp/x.sock"}},
		{"context", Auto, Env{DockerConfig: ctxDir},
			Endpoint{Host: "unix:///tmp/supctl-test-desktop.sock", Source: SourceContext, Context: "desktop-linux", Socket: "/tmp/supctl-test-desktop.sock"}},
		{"context from home", Auto, Env{Home: filepath.Dir(ctxDir) + "/nowhere"}, Endpoint{}},
		{"CONTAINER_HOST for podman", Podman, Env{DockerHost: "tcp://127.0.0.1:1", ContainerHost: "unix:///tmp/p.sock"},
			Endpoint{Host: "unix:///tmp/p.sock", Source: SourceContainerHost, Socket: "/tmp/p.sock"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Discover(tc.kind, tc.env)
			if tc.want == (Endpoint{}) {
				// Falls through to the standard sockets: whatever this
				// machine has, it is a socket or no engine.
				if err == nil && got.Source != SourceSocket || err != nil && !errors.Is(err, ErrNoEngine) {
					t.Fatalf("got %+v, %v; want a standard socket or ErrNoEngine", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "config.json"), []byte(`{"currentContext":"gone"}`), 0o600)
	badJSON := t.TempDir()
	os.WriteFile(filepath.Join(badJSON, "config.json"), []byte(`{"currentContext":`), 0o600)
	tests := []struct {
		name string
		kind Kind
		env  Env
		want error
	}{
		{"none", None, Env{DockerHost: "unix:///var/run/docker.sock"}, ErrNoEngine},
		{"no scheme", Auto, Env{DockerHost: "/var/run/docker.sock"}, ErrBadEndpoint},
		{"ssh", Auto, Env{DockerHost: "ssh://me@host"}, ErrBadEndpoint},
		{"unknown scheme", Auto, Env{DockerHost: "fd://"}, ErrBadEndpoint},
		{"context not found", Auto, Env{DockerConfig: broken}, ErrBadEndpoint},
		{"bad config.json", Auto, Env{DockerConfig: badJSON}, ErrBadEndpoint},
		{"DOCKER_CONTEXT not found", Auto, Env{DockerConfig: t.TempDir(), DockerContext: "nope"}, ErrBadEndpoint},
		{"ssh context", Auto, Env{DockerConfig: writeContext(t, "remote", "ssh://me@host")}, ErrBadEndpoint},
		{"bad kind", Kind("lxc"), Env{}, ErrBadEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := Discover(tc.kind, tc.env)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %+v, %v; want %v", ep, err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestDiscoverSymlinkedSocket: an endpoint whose socket is a symlink says
// where it really leads, as /var/run/docker.sock pointing at Podman did in
// the original report.
func TestDiscoverSymlinkedSocket(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "supctl-test-sock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	real := filepath.Join(dir, "podman.sock")
	l, err := net.Listen("unix", real)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "docker.sock")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	ep, err := Discover(Auto, Env{DockerHost: "unix://" + link})
	if err != nil || ep.Socket != link || ep.Target != real {
		t.Fatalf("got %+v, %v; want socket %s leading to %s", ep, err, link, real)
	}
	if s := ep.String(); s != "unix://"+link+" (from DOCKER_HOST), a symlink to "+real {
		t.Fatalf("String() = %q", s)
	}
	dangling := filepath.Join(dir, "dangling.sock")
	os.Symlink(filepath.Join(dir, "gone.sock"), dangling)
	ep, _ = Discover(Auto, Env{DockerHost: "unix://" + dangling})
	if ep.Target != filepath.Join(dir, "gone.sock") {
		t.Fatalf("dangling symlink: target %q", ep.Target)
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"": Auto, "auto": Auto, "docker": Docker, "podman": Podman, "none": None} {
		if k, err := ParseKind(in); err != nil || k != want {
			t.Errorf("ParseKind(%q) = %v, %v", in, k, err)
		}
	}
	if _, err := ParseKind("lxc"); err == nil {
		t.Error("ParseKind(lxc) succeeded")
	}
}
