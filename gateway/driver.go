package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Driver is the compute driver the gateway will use and why.
type Driver struct {
	// Name is "docker", "podman", "kubernetes", "vm" or a remote driver's
	// name; "" when the gateway would find none and not start.
	Name string `json:"name"`
	// Configured is true when a setting names the driver, false when the
	// gateway detects it.
	Configured bool `json:"configured"`
	// Source is where the choice comes from: "OPENSHELL_DRIVERS in
	// <env file>", "OPENSHELL_DRIVERS in the environment", "compute_drivers
	// in <config>", or "auto-detection".
	Source string `json:"source"`
	// Probes are the auto-detection's steps, in the gateway's order.
	Probes []Probe `json:"probes,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Probe is one step of the gateway's auto-detection.
type Probe struct {
	Driver string `json:"driver"`
	// What was checked: "KUBERNETES_SERVICE_HOST" or a socket path.
	What string `json:"what"`
	// Answer is "set", "unset", or what answered at the socket: "docker",
	// "podman", "no socket", "no answer" or "other".
	Answer string `json:"answer"`
	Chosen bool   `json:"chosen,omitempty"`
}

// The answers of a socket ping.
const (
	AnswerDocker   = "docker"
	AnswerPodman   = "podman"
	AnswerNoSocket = "no socket"
	AnswerNone     = "no answer"
	AnswerOther    = "other"
)

// pingTimeout is the gateway's PROBE_TIMEOUT for a socket ping.
const pingTimeout = time.Second

// Ping asks the unix socket at path what it is, as the gateway does
// (unix_socket_http_ping in NVIDIA/OpenShell
// crates/openshell-core/src/config.rs): GET /_ping, the first 512 bytes
// of the answer; Podman if it is a 200 with a Libpod-Api-Version header,
// Docker if a 200 with Api-Version and no Libpod-Api-Version. It waits at
// most a second for each of connect, write and read.
func Ping(ctx context.Context, path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Type() != fs.ModeSocket {
		return AnswerNoSocket
	}
	ctx, cancel := context.WithTimeout(ctx, 3*pingTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return AnswerNone
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * pingTimeout))
	if _, err := c.Write([]byte("GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")); err != nil {
		return AnswerNone
	}
	buf := make([]byte, 512)
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		n += m
		if err != nil || bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
			break
		}
	}
	resp := bytes.ToLower(buf[:n])
	ok := bytes.HasPrefix(resp, []byte("http/1.1 200")) || bytes.HasPrefix(resp, []byte("http/1.0 200"))
	switch {
	case n == 0:
		return AnswerNone
	case ok && bytes.Contains(resp, []byte("libpod-api-version:")):
		return AnswerPodman
	case ok && bytes.Contains(resp, []byte("api-version:")):
		return AnswerDocker
	}
	return AnswerOther
}

// podmanSockets are podman_socket_candidates (config.rs):
// OPENSHELL_PODMAN_SOCKET (unless blank), $XDG_RUNTIME_DIR/podman/podman.sock,
// /run/user/<uid>/podman/podman.sock (Linux),
// ~/.local/share/containers/podman/machine/podman.sock.
func podmanSockets(env Env, uid int, goos string) []string {
	var out []string
	if v := env.Get("OPENSHELL_PODMAN_SOCKET"); strings.TrimSpace(v) != "" {
		out = append(out, v)
	}
	if v, ok := env.Lookup("XDG_RUNTIME_DIR"); ok {
		out = append(out, filepath.Join(v, "podman", "podman.sock"))
	}
	if goos == "linux" {
		out = append(out, fmt.Sprintf("/run/user/%d/podman/podman.sock", uid))
	}
	if v, ok := env.Lookup("HOME"); ok {
		out = append(out, filepath.Join(v, ".local/share/containers/podman/machine/podman.sock"))
	}
	return out
}

// dockerSockets are docker_socket_candidates (config.rs): DOCKER_HOST when
// it is unix://, /var/run/docker.sock, ~/.docker/run/docker.sock,
// $XDG_RUNTIME_DIR/docker.sock. (Upstream has the fourth, which the issue
// did not list; a tcp:// DOCKER_HOST is not a candidate at all.)
func dockerSockets(env Env) []string {
	var out []string
	if p, ok := strings.CutPrefix(strings.TrimSpace(env.Get("DOCKER_HOST")), "unix://"); ok && p != "" {
		out = append(out, p)
	}
	out = append(out, "/var/run/docker.sock")
	if v, ok := env.Lookup("HOME"); ok {
		out = append(out, filepath.Join(v, ".docker/run/docker.sock"))
	}
	if v, ok := env.Lookup("XDG_RUNTIME_DIR"); ok {
		out = append(out, filepath.Join(v, "docker.sock"))
	}
	return out
}

// firstAnswering pings sockets in order and returns the first that answers
// as want, with a probe for each one asked.
func firstAnswering(ctx context.Context, driver, want string, sockets []string, ping func(context.Context, string) string) (string, []Probe) {
	var probes []Probe
	for _, s := range sockets {
		a := ping(ctx, s)
		probes = append(probes, Probe{Driver: driver, What: s, Answer: a})
		if a == want {
			probes[len(probes)-1].Chosen = true
			return s, probes
		}
	}
	return "", probes
}

// chooseDriver is the gateway's choice (NVIDIA/OpenShell
// crates/openshell-server/src/cli.rs prepare_server_config and
// crates/openshell-server/src/lib.rs ComputeDriverRegistry::select):
// OPENSHELL_DRIVERS (comma-separated; clap's env, so the env file's value
// wins over the shell's) over compute_drivers in the config file; exactly
// one name, normalised (trimmed, lower case, ASCII letters, digits, - and
// _); none at all: auto-detection, Kubernetes when KUBERNETES_SERVICE_HOST
// is set, then Podman when one of its sockets answers as Podman, then
// Docker when one of its sockets answers as Docker (detect_driver in
// crates/openshell-core/src/config.rs). VM is never detected.
func chooseDriver(ctx context.Context, env Env, envFile EnvFile, cfg Config, uid int, goos string, ping func(context.Context, string) string) Driver {
	var names []string
	var d Driver
	if v := env.Get("OPENSHELL_DRIVERS"); v != "" {
		names = strings.Split(v, ",")
		d.Source = "OPENSHELL_DRIVERS in the environment"
		for _, ev := range envFile.Vars {
			if ev.Name == "OPENSHELL_DRIVERS" {
				d.Source = fmt.Sprintf("OPENSHELL_DRIVERS in %s:%d", envFile.Path, ev.Line)
			}
		}
	} else if cfg.ComputeDrivers != nil {
		names = cfg.ComputeDrivers
		d.Source = "compute_drivers in " + cfg.Path
		if cfg.computeDriversLine > 0 {
			d.Source += fmt.Sprintf(":%d", cfg.computeDriversLine)
		}
	}
	switch len(names) {
	case 0:
	case 1:
		n := strings.ToLower(strings.TrimSpace(names[0]))
		if n == "" || strings.IndexFunc(n, func(r rune) bool { return !(r < 128 && isBare(byte(r))) }) >= 0 {
			d.Error = fmt.Sprintf("invalid compute driver name %q (from %s): the gateway will not start", names[0], d.Source)
			return d
		}
		d.Name, d.Configured = n, true
		return d
	default:
		d.Error = fmt.Sprintf("multiple compute drivers are not supported yet (%s from %s): the gateway will not start", strings.Join(names, ","), d.Source)
		return d
	}
	d.Source = "auto-detection"
	if _, ok := env.Lookup("KUBERNETES_SERVICE_HOST"); ok {
		d.Probes = append(d.Probes, Probe{Driver: "kubernetes", What: "KUBERNETES_SERVICE_HOST", Answer: "set", Chosen: true})
		d.Name = "kubernetes"
		return d
	}
	d.Probes = append(d.Probes, Probe{Driver: "kubernetes", What: "KUBERNETES_SERVICE_HOST", Answer: "unset"})
	s, ps := firstAnswering(ctx, "podman", AnswerPodman, podmanSockets(env, uid, goos), ping)
	d.Probes = append(d.Probes, ps...)
	if s != "" {
		d.Name = "podman"
		return d
	}
	s, ps = firstAnswering(ctx, "docker", AnswerDocker, dockerSockets(env), ping)
	d.Probes = append(d.Probes, ps...)
	if s != "" {
		d.Name = "docker"
		return d
	}
	d.Error = "no compute driver configured and auto-detection found none: the gateway will not start"
	return d
}

// driverSocket is the socket the chosen Docker or Podman driver connects
// to: socket_path of its table (for Podman, OPENSHELL_PODMAN_SOCKET over
// it: apply_podman_env_overrides in
// crates/openshell-server/src/compute/driver_config/builtin.rs), else the
// first socket that answers as that engine, else, for Docker,
// /var/run/docker.sock (DockerComputeDriver::new in
// crates/openshell-driver-docker/src/lib.rs).
func driverSocket(ctx context.Context, name string, env Env, cfg Config, uid int, goos string, ping func(context.Context, string) string) (socket, source string) {
	switch name {
	case "docker":
		if p, s, ok := cfg.Docker.str("socket_path"); ok {
			return p, fmt.Sprintf("socket_path in %s", s.From)
		}
		if p, _ := firstAnswering(ctx, "docker", AnswerDocker, dockerSockets(env), ping); p != "" {
			return p, "the first Docker socket that answers"
		}
		return "/var/run/docker.sock", "the Docker driver's default"
	case "podman":
		if v, ok := env.Lookup("OPENSHELL_PODMAN_SOCKET"); ok {
			return v, "OPENSHELL_PODMAN_SOCKET"
		}
		if p, s, ok := cfg.Podman.str("socket_path"); ok {
			return p, fmt.Sprintf("socket_path in %s", s.From)
		}
		if p, _ := firstAnswering(ctx, "podman", AnswerPodman, podmanSockets(env, uid, goos), ping); p != "" {
			return p, "the first Podman socket that answers"
		}
	}
	return "", ""
}
