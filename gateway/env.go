package gateway

import (
	"os"
	"path/filepath"
	"strings"
)

// Env is an environment: variable names and values; a name that is
// absent is unset (set to "" is set, as the gateway's std::env::var sees
// it).
type Env map[string]string

// OSEnv is this process's environment: the shell's, when supctl is run
// from one.
func OSEnv() Env {
	e := Env{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e[k] = v
		}
	}
	return e
}

// Lookup returns the value of name and whether it is set.
func (e Env) Lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// Get returns the value of name, "" when unset.
func (e Env) Get(name string) string { return e[name] }

// With returns a copy of e with vars applied in order: the environment the
// gateway gets when its env file is loaded over e.
func (e Env) With(vars []EnvVar) Env {
	out := make(Env, len(e)+len(vars))
	for k, v := range e {
		out[k] = v
	}
	for _, v := range vars {
		out[v.Name] = v.Value
	}
	return out
}

// xdgDir is upstream's xdg_*_dir (NVIDIA/OpenShell
// crates/openshell-core/src/paths.rs): the variable if set, even to "",
// else $HOME/<fallback>; "" when neither is set.
func (e Env) xdgDir(name string, fallback ...string) string {
	if v, ok := e.Lookup(name); ok {
		return v
	}
	home, ok := e.Lookup("HOME")
	if !ok {
		return ""
	}
	return filepath.Join(append([]string{home}, fallback...)...)
}

// ConfigDir is $XDG_CONFIG_HOME/openshell (openshell_config_dir).
func (e Env) ConfigDir() string {
	return filepath.Join(e.xdgDir("XDG_CONFIG_HOME", ".config"), "openshell")
}

// StateDir is $XDG_STATE_HOME/openshell (openshell_state_dir).
func (e Env) StateDir() string {
	return filepath.Join(e.xdgDir("XDG_STATE_HOME", ".local", "state"), "openshell")
}

// DataDir is $XDG_DATA_HOME/openshell, where the drivers keep their
// extractions (xdg_data_dir, NVIDIA/OpenShell
// crates/openshell-core/src/driver_utils.rs supervisor_cache_path).
func (e Env) DataDir() string {
	return filepath.Join(e.xdgDir("XDG_DATA_HOME", ".local", "share"), "openshell")
}

// TLSDir is $OPENSHELL_LOCAL_TLS_DIR, else $XDG_STATE_HOME/openshell/tls
// (default_local_tls_dir, NVIDIA/OpenShell
// crates/openshell-server/src/defaults.rs).
func (e Env) TLSDir() (dir, source string) {
	if v, ok := e.Lookup("OPENSHELL_LOCAL_TLS_DIR"); ok {
		return v, "OPENSHELL_LOCAL_TLS_DIR"
	}
	return filepath.Join(e.StateDir(), "tls"), "$XDG_STATE_HOME/openshell/tls"
}
