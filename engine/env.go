package engine

import (
	"os"
	"path/filepath"
)

// Env is everything of the process environment that endpoint discovery
// reads. [FromOS] fills it from this process; tests and callers with other
// needs build their own.
type Env struct {
	DockerHost    string // DOCKER_HOST
	DockerContext string // DOCKER_CONTEXT
	DockerConfig  string // DOCKER_CONFIG: the Docker configuration directory
	ContainerHost string // CONTAINER_HOST: Podman's remote endpoint
	Home          string // the user's home directory
	XDGRuntimeDir string // XDG_RUNTIME_DIR
	TLSVerify     bool   // DOCKER_TLS_VERIFY set to a non-empty value
	CertPath      string // DOCKER_CERT_PATH
	// APIVersion (DOCKER_API_VERSION) fixes the API version instead of
	// negotiating it: the way to reach an engine older than the client's
	// floor, API 1.40 (Docker 19.03).
	APIVersion string
}

// FromOS returns the environment of this process: the variables named in
// [Env] and the home directory from [os.UserHomeDir]. It is the one place
// this package reads the environment.
func FromOS() Env {
	home, _ := os.UserHomeDir()
	return Env{
		DockerHost:    os.Getenv("DOCKER_HOST"),
		DockerContext: os.Getenv("DOCKER_CONTEXT"),
		DockerConfig:  os.Getenv("DOCKER_CONFIG"),
		ContainerHost: os.Getenv("CONTAINER_HOST"),
		Home:          home,
		XDGRuntimeDir: os.Getenv("XDG_RUNTIME_DIR"),
		TLSVerify:     os.Getenv("DOCKER_TLS_VERIFY") != "",
		CertPath:      os.Getenv("DOCKER_CERT_PATH"),
		APIVersion:    os.Getenv("DOCKER_API_VERSION"),
	}
}

// configDir is the Docker configuration directory: DOCKER_CONFIG, else
// ~/.docker.
func (e Env) configDir() string {
	if e.DockerConfig != "" {
		return e.DockerConfig
	}
	if e.Home == "" {
		return ""
	}
	return filepath.Join(e.Home, ".docker")
}
