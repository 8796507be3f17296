package gateway

import (
	"os"
	"path/filepath"
)

// JWTFiles are the sandbox JWT files of a TLS directory, under jwt/
// (LocalJwtPaths in NVIDIA/OpenShell crates/openshell-server/src/defaults.rs).
var JWTFiles = []string{"jwt/signing.pem", "jwt/public.pem", "jwt/kid"}

// JWT is the gateway's sandbox JWT material.
type JWT struct {
	// Dir is the TLS directory the gateway reads, and DirSource how it
	// was chosen ("OPENSHELL_LOCAL_TLS_DIR" or
	// "$XDG_STATE_HOME/openshell/tls").
	Dir       string `json:"dir"`
	DirSource string `json:"dir_source"`
	// State is "complete" (the gateway mints sandbox JWTs), "none" (it
	// mints none: sandboxes fail with "requires a sandbox principal"),
	// "partial" (the gateway refuses to start: complete_local_jwt_config),
	// or "config" ([openshell.gateway.gateway_jwt] in the config file
	// names the files instead).
	State   string   `json:"state"`
	Missing []string `json:"missing,omitempty"`
	// Copies are other TLS directories that hold a complete jwt/, such
	// as Homebrew's <prefix>/var/openshell/tls, which its service copies
	// to ~/.local/state/openshell/homebrew/tls at every start.
	Copies []string `json:"copies,omitempty"`
}

// The states of [JWT].
const (
	JWTComplete = "complete"
	JWTNone     = "none"
	JWTPartial  = "partial"
	JWTConfig   = "config"
)

// jwtState counts the JWT files of dir as complete_local_jwt_config does:
// all three regular files, none, or some (the missing ones named).
func jwtState(dir string) (state string, missing []string) {
	for _, f := range JWTFiles {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
			missing = append(missing, f)
		}
	}
	switch len(missing) {
	case 0:
		return JWTComplete, nil
	case len(JWTFiles):
		return JWTNone, missing
	}
	return JWTPartial, missing
}

// readJWT finds the JWT material of the gateway whose environment is env,
// and the other TLS directories that hold a complete jwt/: the default
// ones ($XDG_STATE_HOME/openshell/tls, the Homebrew service's copy
// ~/.local/state/openshell/homebrew/tls) and, with a Homebrew prefix,
// <prefix>/var/openshell/tls, where the formula's generate-certs writes
// them (tasks/scripts/release.py).
func readJWT(env Env, cfg Config, brewPrefix string) JWT {
	dir, src := env.TLSDir()
	j := JWT{Dir: dir, DirSource: src}
	if cfg.JWTInFile {
		j.State = JWTConfig
		return j
	}
	j.State, j.Missing = jwtState(dir)
	cands := []string{filepath.Join(env.StateDir(), "tls")}
	if h, ok := env.Lookup("HOME"); ok {
		cands = append(cands, filepath.Join(h, ".local", "state", "openshell", "homebrew", "tls"))
	}
	if brewPrefix != "" {
		cands = append(cands, filepath.Join(brewPrefix, "var", "openshell", "tls"))
	}
	seen := map[string]bool{filepath.Clean(dir): true}
	for _, c := range cands {
		if seen[filepath.Clean(c)] {
			continue
		}
		seen[filepath.Clean(c)] = true
		if st, _ := jwtState(c); st == JWTComplete {
			j.Copies = append(j.Copies, c)
		}
	}
	return j
}
