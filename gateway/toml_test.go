package gateway

import (
	"errors"
	"slices"
	"testing"
)

// TestParseTOML: the shapes gateway.toml takes upstream
// (NVIDIA/OpenShell deploy/rpm/gateway.toml.default, deploy/docker/gateway.toml,
// crates/openshell-server/src/config_file.rs tests).
func TestParseTOML(t *testing.T) {
	tests := []struct {
		name, in      string
		table, key    string
		wantStr       string
		wantStrs      []string
		wantKind      string
		wantErrorLine int
	}{
		// config_file.rs: [openshell.gateway] compute_drivers is Vec<String>.
		{"drivers array", "[openshell]\nversion = 1\n\n[openshell.gateway]\ncompute_drivers = [\"docker\"] # one\n", "openshell.gateway", "compute_drivers", "", []string{"docker"}, "array", 0},
		{"multi-line array", "[openshell.gateway]\ncompute_drivers = [\n  \"podman\",\n  'docker', # x\n]\n", "openshell.gateway", "compute_drivers", "", []string{"podman", "docker"}, "array", 0},
		// lib.rs DockerComputeConfig: supervisor_bin is a path string.
		{"basic string escapes", "[openshell.drivers.docker]\nsupervisor_bin = \"/a\\\\b\\u00e9\"\n", "openshell.drivers.docker", "supervisor_bin", "/a\\bé", nil, "string", 0},
		{"literal string", "[openshell.drivers.docker]\nsupervisor_image = 'ghcr.io/x/y:dev'\n", "openshell.drivers.docker", "supervisor_image", "ghcr.io/x/y:dev", nil, "string", 0},
		{"dotted key", "[openshell]\ndrivers.docker.supervisor_image = \"a:b\"\n", "openshell.drivers.docker", "supervisor_image", "a:b", nil, "string", 0},
		{"quoted header key", "[openshell.\"drivers\".docker]\nx = 1\n", "openshell.drivers.docker", "x", "", nil, "integer", 0},
		{"multi-line string", "[a]\nb = \"\"\"\nline1\nline2\"\"\"\n", "a", "b", "line1\nline2", nil, "string", 0},
		{"inline table kept raw", "[openshell.gateway]\ntls = { cert_path = \"/c\" }\n", "openshell.gateway", "tls", "", nil, "other", 0},
		{"array of tables", "[[openshell.gateway.interceptors]]\nname = \"x\"\n[openshell.gateway]\nlog_level = \"info\"\n", "openshell.gateway", "log_level", "info", nil, "string", 0},
		{"boolean", "[openshell.drivers.docker]\nenable_bind_mounts = true\n", "openshell.drivers.docker", "enable_bind_mounts", "", nil, "boolean", 0},
		{"CRLF", "[a]\r\nb = \"c\"\r\n", "a", "b", "c", nil, "string", 0},
		// The toml crate refuses these, so the gateway does not start.
		{"unquoted string", "[openshell.drivers.docker]\nsupervisor_bin = /usr/bin/x\n", "", "", "", nil, "", 2},
		{"unterminated string", "[a]\nb = 1\nc = \"x\n", "", "", "", nil, "", 3},
		{"missing =", "[a]\nb \"x\"\n", "", "", "", nil, "", 2},
		{"duplicate key", "[a]\nb = 1\nb = 2\n", "", "", "", nil, "", 3},
		{"duplicate table", "[a]\n[b]\n[a]\n", "", "", "", nil, "", 3},
		{"bad header", "[a\nb = 1\n", "", "", "", nil, "", 1},
		{"junk after value", "[a]\nb = \"x\" y\n", "", "", "", nil, "", 2},
		{"unclosed array", "[a]\nb = [\"x\",\n", "", "", "", nil, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseTOML("gateway.toml", []byte(tt.in))
			if tt.wantErrorLine > 0 {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line != tt.wantErrorLine || se.Path != "gateway.toml" {
					t.Fatalf("error %v, want a syntax error at line %d", err, tt.wantErrorLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v, ok := doc[tt.table][tt.key]
			if !ok || v.Kind != tt.wantKind || v.Str != tt.wantStr || !slices.Equal(v.Strs, tt.wantStrs) {
				t.Fatalf("%s.%s = %+v (found %v)", tt.table, tt.key, v, ok)
			}
		})
	}
}

func FuzzParseTOML(f *testing.F) {
	for _, s := range []string{"[openshell.gateway]\ncompute_drivers = [\"docker\"]\n", "[a]\nb = \"\"\"\nx\n\"\"\"\n", "a.b = { c = [1, [2]] }\n", "[[x]]\n", "b = '''\n'''", "x = \"\\u00e9\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ParseTOML("f", b)
		var se *SyntaxError
		if err != nil {
			if !errors.As(err, &se) || se.Line < 1 || se.Line > len(b)+1 {
				t.Fatalf("error %v has no line within the input", err)
			}
			return
		}
		for _, tbl := range doc {
			for _, v := range tbl {
				if v.Line < 1 {
					t.Fatalf("value without a line: %+v", v)
				}
			}
		}
	})
}
