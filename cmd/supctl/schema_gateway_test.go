package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/gateway"
)

// schemaGateway is a light gateway home for the schema tests: the
// gateway's program (a script printing its version), gateway.toml with
// supervisor_bin set to the link gw of the cache cacheDir, gateway.env
// choosing the Docker driver, complete sandbox JWT material, and one
// extraction of the gateway's own, a copy of the supervisor bin. It
// returns the environment the gateway's commands run in (apply it with
// setEnv) and the extraction's path.
func schemaGateway(t *testing.T, cacheDir, bin string) (env map[string]string, extraction string) {
	t.Helper()
	home := t.TempDir()
	env = map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"PATH":            filepath.Join(home, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		// Unset: the gateway's files and driver are those of this home.
		"OPENSHELL_DRIVERS": "", "OPENSHELL_GATEWAY_CONFIG": "", "OPENSHELL_LOCAL_TLS_DIR": "", "KUBERNETES_SERVICE_HOST": "",
	}
	writeFile(t, filepath.Join(home, "bin", gateway.BinaryName), "#!/bin/sh\necho '"+gateway.BinaryName+" "+gatewayVersion+"'\n", 0o755)
	link := filepath.Join(cacheDir, "links", "gw")
	writeFile(t, filepath.Join(env["XDG_CONFIG_HOME"], "openshell", "gateway.toml"),
		"[openshell]\nversion = 1\n\n[openshell.drivers.docker]\nsupervisor_bin = \""+link+"\"\n", 0o644)
	writeFile(t, filepath.Join(env["XDG_CONFIG_HOME"], "openshell", "gateway.env"), "OPENSHELL_DRIVERS=docker\n", 0o644)
	for _, f := range gateway.JWTFiles {
		writeFile(t, filepath.Join(env["XDG_STATE_HOME"], "openshell", "tls", f), "x", 0o600)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	extraction = gateway.ExtractionPath(filepath.Join(env["XDG_DATA_HOME"], "openshell"), "docker", "sha256:"+strings.Repeat("ab", 32))
	writeFile(t, extraction, string(b), 0o755)
	return env, extraction
}

// setEnv sets env for the rest of the test; an empty value unsets.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
		if v == "" {
			os.Unsetenv(k)
		}
	}
}

// leaveTmpEntry leaves in the cache dir what a pull killed while filling
// an entry leaves: a temporary entry directory whose writer's lock is free.
func leaveTmpEntry(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "entries", ".tmp-sha256-"+strings.Repeat("a", 64)+"-9", "openshell-sandbox"), "partial", 0o755)
}
