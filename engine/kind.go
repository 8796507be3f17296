package engine

import "fmt"

// Kind selects which container engine to use.
type Kind string

// The kinds of engine selection.
const (
	// Auto finds an engine as the Docker tooling does and takes whatever
	// product answers there; see the package documentation.
	Auto Kind = "auto"
	// Docker finds the engine the same way but insists that it is Docker
	// (Docker Engine or Docker Desktop), and does not fall back to
	// Podman's sockets.
	Docker Kind = "docker"
	// Podman uses CONTAINER_HOST or Podman's sockets and insists that
	// the engine is Podman.
	Podman Kind = "podman"
	// None uses no engine at all.
	None Kind = "none"
)

// ParseKind parses "auto", "docker", "podman" or "none"; "" is [Auto].
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case "":
		return Auto, nil
	case Auto, Docker, Podman, None:
		return k, nil
	}
	return "", fmt.Errorf("unknown engine %q: want auto, docker, podman or none", s)
}

func (k Kind) String() string { return string(k) }
