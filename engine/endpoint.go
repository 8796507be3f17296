package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/openshell-contrib/supctl/internal/regularfile"
)

// EndpointSource says how an endpoint was chosen.
type EndpointSource string

// The sources of an endpoint, in the order discovery tries them.
const (
	SourceDockerHost    EndpointSource = "DOCKER_HOST"    // the DOCKER_HOST variable
	SourceContainerHost EndpointSource = "CONTAINER_HOST" // the CONTAINER_HOST variable ([Podman] only)
	SourceContext       EndpointSource = "context"        // the current Docker context
	SourceSocket        EndpointSource = "socket"         // a standard socket that exists
)

// The standard sockets, in the order discovery tries them. The rootless
// Podman socket is $XDG_RUNTIME_DIR/podman/podman.sock.
const (
	DockerSocket        = "/var/run/docker.sock"
	PodmanRootfulSocket = "/run/podman/podman.sock"
)

// maxContextMeta caps the size of a context's meta.json.
const maxContextMeta = 1 << 20

// Endpoint is where an engine is reached and why that place was chosen.
type Endpoint struct {
	// Host is the engine's address as DOCKER_HOST spells it:
	// unix:///var/run/docker.sock, tcp://10.0.0.2:2376, npipe:////./pipe/docker_engine.
	Host string `json:"host"`
	// Source says how Host was chosen.
	Source EndpointSource `json:"source"`
	// Context is the Docker context's name when Source is [SourceContext].
	Context string `json:"context,omitempty"`
	// Socket is the path of a unix socket endpoint, and Target where it
	// really leads when the path or a directory on it is a symlink
	// ("" when it leads nowhere else or cannot be resolved).
	Socket string `json:"socket,omitempty"`
	Target string `json:"target,omitempty"`
	// TLS holds the directory of ca.pem, cert.pem and key.pem, if the
	// endpoint uses TLS client certificates.
	TLS string `json:"tls,omitempty"`
	// APIVersion is the API version fixed by DOCKER_API_VERSION ("":
	// negotiated).
	APIVersion string `json:"api_version,omitempty"`
}

// Why says in words how the endpoint was chosen, e.g. `DOCKER_HOST`,
// `Docker context "desktop-linux"` or `the standard socket`.
func (e Endpoint) Why() string {
	switch e.Source {
	case SourceContext:
		return fmt.Sprintf("Docker context %q", e.Context)
	case SourceSocket:
		return "the standard socket"
	}
	return string(e.Source)
}

// String is the host, how it was chosen, and where its socket leads.
func (e Endpoint) String() string {
	s := e.Host + " (from " + e.Why() + ")"
	if e.Target != "" {
		s += ", a symlink to " + e.Target
	}
	return s
}

// Fix says what to change when no engine answers at e.
func (e Endpoint) Fix() string {
	switch e.Source {
	case SourceDockerHost:
		return "start the engine it names, or fix or unset DOCKER_HOST"
	case SourceContainerHost:
		return "start the engine it names, or fix or unset CONTAINER_HOST"
	case SourceContext:
		return fmt.Sprintf("start the engine of Docker context %q, or switch contexts (docker context use NAME) or set DOCKER_HOST", e.Context)
	}
	return "start the engine that owns " + e.Socket + ", or set DOCKER_HOST to the engine you mean"
}

// Discover finds the endpoint of kind k from env, without contacting it:
//
//   - [Auto] and [Docker]: DOCKER_HOST if set; else the Docker context
//     named by DOCKER_CONTEXT or by "currentContext" in config.json of the
//     configuration directory (DOCKER_CONFIG, else ~/.docker), unless it is
//     "default"; else the first of the standard sockets that exists and
//     that this process may connect to (else the first that exists):
//     [DockerSocket], then, for [Auto] only, [PodmanRootfulSocket] and the
//     rootless Podman socket.
//   - [Podman]: CONTAINER_HOST if set, else the first Podman socket that
//     exists.
//   - [None]: an error wrapping [ErrNoEngine].
//
// A malformed variable or context is an error wrapping [ErrBadEndpoint];
// no endpoint at all is an error wrapping [ErrNoEngine].
func Discover(k Kind, env Env) (Endpoint, error) {
	switch k {
	case None:
		return Endpoint{}, fmt.Errorf("no container engine is used (engine %q): %w", None, ErrNoEngine)
	case Podman:
		if env.ContainerHost != "" {
			return hostEndpoint(env.ContainerHost, SourceContainerHost, "")
		}
	case Auto, Docker:
		if env.DockerHost != "" {
			ep, err := hostEndpoint(env.DockerHost, SourceDockerHost, "")
			if err == nil && env.TLSVerify {
				ep.TLS = env.CertPath
				if ep.TLS == "" && env.configDir() != "" {
					ep.TLS = env.configDir()
				}
			}
			return ep, err
		}
		ep, ok, err := contextEndpoint(env)
		if err != nil || ok {
			return ep, err
		}
	default:
		return Endpoint{}, fmt.Errorf("unknown engine kind %q: %w", k, ErrBadEndpoint)
	}
	// The first socket this process may connect to; else the first that
	// exists, whose permission error then says what to do.
	var tried []string
	first := ""
	for _, sock := range sockets(k, env) {
		tried = append(tried, sock)
		if fi, err := os.Stat(sock); err == nil && fi.Mode()&fs.ModeSocket != 0 {
			if writable(sock) {
				return socketEndpoint(sock, SourceSocket, ""), nil
			}
			if first == "" {
				first = sock
			}
		}
	}
	if first != "" {
		return socketEndpoint(first, SourceSocket, ""), nil
	}
	return Endpoint{}, &NoEngineError{Kind: k, Tried: tried}
}

// sockets lists the standard sockets kind k tries.
func sockets(k Kind, env Env) []string {
	var s []string
	if k != Podman {
		s = append(s, DockerSocket)
	}
	if k != Docker {
		s = append(s, PodmanRootfulSocket)
		if env.XDGRuntimeDir != "" {
			s = append(s, filepath.Join(env.XDGRuntimeDir, "podman", "podman.sock"))
		}
	}
	return s
}

// hostEndpoint checks a DOCKER_HOST-style address.
func hostEndpoint(host string, src EndpointSource, ctxName string) (Endpoint, error) {
	scheme, addr, ok := strings.Cut(host, "://")
	if !ok || addr == "" {
		return Endpoint{}, fmt.Errorf("%s %q is not an address such as unix:///var/run/docker.sock or tcp://HOST:2376: %w", what(src, ctxName), host, ErrBadEndpoint)
	}
	switch scheme {
	case "unix":
		return socketEndpoint(addr, src, ctxName), nil
	case "tcp", "npipe", "http", "https":
		return Endpoint{Host: host, Source: src, Context: ctxName}, nil
	case "ssh":
		return Endpoint{}, fmt.Errorf("%s %q: ssh endpoints need the docker CLI, which this program does not use; forward the engine's socket (ssh -L /tmp/docker.sock:/var/run/docker.sock HOST) and set DOCKER_HOST=unix:///tmp/docker.sock: %w", what(src, ctxName), host, ErrBadEndpoint)
	}
	return Endpoint{}, fmt.Errorf("%s %q: unknown scheme %q (want unix, tcp or npipe): %w", what(src, ctxName), host, scheme, ErrBadEndpoint)
}

func what(src EndpointSource, ctxName string) string {
	if src == SourceContext {
		return fmt.Sprintf("the endpoint of Docker context %q", ctxName)
	}
	return string(src)
}

// socketEndpoint records a unix socket and where it really leads.
func socketEndpoint(path string, src EndpointSource, ctxName string) Endpoint {
	ep := Endpoint{Host: "unix://" + path, Source: src, Context: ctxName, Socket: path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != filepath.Clean(path) {
		ep.Target = real
	} else if err != nil {
		if dest, lerr := os.Readlink(path); lerr == nil {
			ep.Target = dest // a dangling symlink: say where it points
		}
	}
	return ep
}

// contextEndpoint reads the current Docker context. ok is false when
// there is none, or it is "default".
func contextEndpoint(env Env) (ep Endpoint, ok bool, err error) {
	dir := env.configDir()
	name := env.DockerContext
	if name == "" && dir != "" {
		b, err := readCapped(filepath.Join(dir, "config.json"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return Endpoint{}, false, fmt.Errorf("reading the Docker configuration: %v: %w", err, ErrBadEndpoint)
		default:
			if name, err = currentContext(b); err != nil {
				return Endpoint{}, false, fmt.Errorf("%s: %v; fix the file or set DOCKER_HOST: %w", filepath.Join(dir, "config.json"), err, ErrBadEndpoint)
			}
		}
	}
	if name == "" || name == "default" {
		return Endpoint{}, false, nil
	}
	if dir == "" {
		return Endpoint{}, false, fmt.Errorf("the Docker context %q: no configuration directory (set DOCKER_CONFIG or HOME): %w", name, ErrBadEndpoint)
	}
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	b, err := readCapped(meta)
	if err != nil {
		return Endpoint{}, false, fmt.Errorf("the Docker context %q: %v; run \"docker context ls\", or set DOCKER_HOST: %w", name, err, ErrBadEndpoint)
	}
	host, err := contextHost(b)
	if err != nil {
		return Endpoint{}, false, fmt.Errorf("the Docker context %q: %s: %v: %w", name, meta, err, ErrBadEndpoint)
	}
	ep, err = hostEndpoint(host, SourceContext, name)
	if err != nil {
		return Endpoint{}, false, err
	}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	if fi, err := os.Stat(tlsDir); err == nil && fi.IsDir() {
		ep.TLS = tlsDir
	}
	return ep, true, nil
}

func readCapped(path string) ([]byte, error) { return regularfile.Read(path, maxContextMeta) }

// currentContext decodes config.json's "currentContext".
func currentContext(b []byte) (string, error) {
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", err
	}
	return cfg.CurrentContext, nil
}

// contextHost decodes a context's meta.json and returns its docker
// endpoint's Host.
func contextHost(b []byte) (string, error) {
	var m struct {
		Name      string
		Endpoints map[string]struct {
			Host          string
			SkipTLSVerify bool
		}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	d, found := m.Endpoints["docker"]
	if !found || d.Host == "" {
		return "", errors.New("no docker endpoint")
	}
	return d.Host, nil
}
