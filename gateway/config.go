package gateway

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/openshell-contrib/supctl/internal/regularfile"
)

// File is one of the gateway's files and how it was found.
type File struct {
	Path string `json:"path"`
	// Source says how Path was chosen: "--config", "OPENSHELL_GATEWAY_CONFIG",
	// "$XDG_CONFIG_HOME/openshell", "Homebrew prefix".
	Source string `json:"source"`
	Exists bool   `json:"exists"`
	// Syntax is the line that does not parse, if any; Error any other
	// reason the file could not be read or that the gateway refuses it.
	Syntax *SyntaxError `json:"syntax_error,omitempty"`
	Error  string       `json:"error,omitempty"`
}

// Config is gateway.toml as the gateway reads it (NVIDIA/OpenShell
// crates/openshell-server/src/config_file.rs).
type Config struct {
	File
	// ComputeDrivers is [openshell.gateway] compute_drivers, nil when unset.
	ComputeDrivers []string `json:"compute_drivers,omitempty"`
	// Drivers are the [openshell.drivers.<name>] tables merged with the
	// keys they inherit from [openshell.gateway] (driver_table), for
	// docker and podman.
	Docker DriverTable `json:"docker"`
	Podman DriverTable `json:"podman"`
	// JWTInFile is true when [openshell.gateway.gateway_jwt] configures the
	// sandbox JWT material, which then wins over the TLS directory's.
	JWTInFile bool `json:"jwt_in_file,omitempty"`

	computeDriversLine int
}

// DriverTable is a driver's merged table: key -> value, each with where
// it was written.
type DriverTable map[string]Setting

// Setting is one key of a driver's table.
type Setting struct {
	Value
	// From is the table the key was written in, e.g.
	// "[openshell.drivers.docker]" or "[openshell.gateway]" (inherited).
	From string `json:"from"`
}

// inheritable are the keys a driver's table takes from [openshell.gateway]
// when it does not set them (inheritable_keys in
// NVIDIA/OpenShell crates/openshell-server/src/config_file.rs).
var inheritable = map[string][]string{
	"docker": {"sandbox_namespace", "default_image", "supervisor_image", "host_gateway_ip", "guest_tls_ca", "guest_tls_cert", "guest_tls_key"},
	"podman": {"default_image", "supervisor_image", "host_gateway_ip", "guest_tls_ca", "guest_tls_cert", "guest_tls_key"},
}

// schemaVersion is the newest [openshell] version the gateway reads
// (SCHEMA_VERSION in config_file.rs).
const schemaVersion = 1

// readFile reads path, bounded; a missing file is (nil, nil).
func readFile(path string) ([]byte, error) {
	b, err := regularfile.Read(path, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// locateConfig is resolve_config_path (NVIDIA/OpenShell
// crates/openshell-server/src/cli.rs): --config, else
// OPENSHELL_GATEWAY_CONFIG (clap's env, so from the gateway's environment,
// the env file included), else $XDG_CONFIG_HOME/openshell/gateway.toml
// when it is a file; Homebrew's service wrapper adds
// <prefix>/var/openshell/gateway.toml when neither of the last two is
// there (tasks/scripts/release.py, the formula).
func locateConfig(flag string, env Env, brewPrefix string) File {
	if flag != "" {
		return File{Path: flag, Source: "--config"}
	}
	if v := env.Get("OPENSHELL_GATEWAY_CONFIG"); v != "" {
		return File{Path: v, Source: "OPENSHELL_GATEWAY_CONFIG"}
	}
	def := filepath.Join(env.ConfigDir(), "gateway.toml")
	if fi, err := os.Stat(def); err == nil && fi.Mode().IsRegular() {
		return File{Path: def, Source: "$XDG_CONFIG_HOME/openshell"}
	}
	if brewPrefix != "" {
		p := filepath.Join(brewPrefix, "var", "openshell", "gateway.toml")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return File{Path: p, Source: "Homebrew prefix"}
		}
	}
	return File{Path: def, Source: "$XDG_CONFIG_HOME/openshell"}
}

// readConfig reads and checks the config file as config_file::load does.
func readConfig(f File) Config {
	c := Config{File: f, Docker: DriverTable{}, Podman: DriverTable{}}
	b, err := readFile(f.Path)
	switch {
	case err != nil:
		c.Error = err.Error()
		return c
	case b == nil:
		if f.Source == "--config" || f.Source == "OPENSHELL_GATEWAY_CONFIG" {
			c.Error = fmt.Sprintf("%s (named by %s) does not exist: the gateway will not start", f.Path, f.Source)
		}
		return c
	}
	c.Exists = true
	if strings.TrimSpace(string(b)) == "" {
		return c
	}
	doc, err := ParseTOML(f.Path, b)
	var se *SyntaxError
	if errors.As(err, &se) {
		c.Syntax = se
		return c
	}
	root, gw := doc["openshell"], doc["openshell.gateway"]
	if v, ok := root["version"]; ok && v.Kind == "integer" && v.Raw != "0" && v.Raw != "1" {
		c.Error = fmt.Sprintf("%s: [openshell] version = %s: this gateway reads version %d only, and will not start", f.Path, v.Raw, schemaVersion)
	}
	if _, ok := gw["database_url"]; ok {
		c.Error = fmt.Sprintf("%s: database_url is not allowed in the file (the gateway refuses it; set OPENSHELL_DB_URL)", f.Path)
	}
	if v, ok := gw["compute_drivers"]; ok {
		if v.Kind != "array" || (v.Strs == nil && v.Raw != "[]") {
			c.Syntax = &SyntaxError{Path: f.Path, Line: v.Line, Msg: "compute_drivers must be an array of strings"}
			return c
		}
		c.ComputeDrivers, c.computeDriversLine = append([]string{}, v.Strs...), v.Line
	}
	_, c.JWTInFile = doc["openshell.gateway.gateway_jwt"]
	if _, ok := gw["gateway_jwt"]; ok {
		c.JWTInFile = true
	}
	for name, table := range map[string]DriverTable{"docker": c.Docker, "podman": c.Podman} {
		own := "openshell.drivers." + name
		for k, v := range doc[own] {
			table[k] = Setting{Value: v, From: "[" + own + "]"}
		}
		for _, k := range inheritable[name] {
			if v, ok := gw[k]; ok && !slices.Contains(keys(table), k) {
				table[k] = Setting{Value: v, From: "[openshell.gateway]"}
			}
		}
	}
	return c
}

func keys(t DriverTable) []string {
	out := make([]string, 0, len(t))
	for k := range t {
		out = append(out, k)
	}
	return out
}

// str returns a string setting of t.
func (t DriverTable) str(key string) (string, Setting, bool) {
	s, ok := t[key]
	if !ok || s.Kind != "string" {
		return "", s, false
	}
	return s.Str, s, true
}

// EnvFile is gateway.env and what it sets.
type EnvFile struct {
	File
	Vars []EnvVar `json:"vars"`
}

// locateEnvFile is the env file the packaged services load:
// $XDG_CONFIG_HOME/openshell/gateway.env (EnvironmentFile=-%E/openshell/gateway.env
// in NVIDIA/OpenShell deploy/deb/openshell-gateway.service and
// openshell.spec), and for Homebrew, <prefix>/var/openshell/gateway.env
// when that one is missing (tasks/scripts/release.py).
func locateEnvFile(env Env, brewPrefix string) EnvFile {
	p := filepath.Join(env.ConfigDir(), "gateway.env")
	f := EnvFile{File: File{Path: p, Source: "$XDG_CONFIG_HOME/openshell"}, Vars: []EnvVar{}}
	if _, err := os.Stat(p); err != nil && brewPrefix != "" {
		bp := filepath.Join(brewPrefix, "var", "openshell", "gateway.env")
		if _, err := os.Stat(bp); err == nil {
			f.Path, f.Source = bp, "Homebrew prefix"
		}
	}
	b, err := readFile(f.Path)
	switch {
	case err != nil:
		f.Error = err.Error()
	case b != nil:
		f.Exists = true
		vars, err := ParseEnvFile(f.Path, b)
		var se *SyntaxError
		if errors.As(err, &se) {
			f.Syntax = se
		} else {
			f.Vars = vars
		}
	}
	return f
}
