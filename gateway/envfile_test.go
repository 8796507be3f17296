package gateway

import (
	"errors"
	"testing"
)

// TestParseEnvFile: gateway.env as systemd's EnvironmentFile= (NVIDIA/OpenShell
// deploy/deb/openshell-gateway.service, openshell.spec) and the Homebrew
// wrapper's "set -a; . FILE" (tasks/scripts/release.py) both read it.
func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name, in  string
		want      map[string]string
		errorLine int
	}{
		// deploy/rpm/CONFIGURATION.md: "# In ~/.config/openshell/gateway.env" then NAME=value lines.
		{"plain", "# comment\n; also\n\nOPENSHELL_DRIVERS=docker\nDOCKER_HOST=unix:///run/user/1000/docker.sock\n", map[string]string{"OPENSHELL_DRIVERS": "docker", "DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, 0},
		{"export and quotes", "export A=\"x y\"\nB='$HOME/z'\nC=\"a\\\"b\"\n", map[string]string{"A": "x y", "B": "$HOME/z", "C": "a\"b"}, 0},
		{"later wins", "A=1\nA=2\n", map[string]string{"A": "2"}, 0},
		{"continuation", "A=a\\\nb\n", map[string]string{"A": "ab"}, 0},
		{"multi-line double quotes", "A=\"x\ny\"\nB=1\n", map[string]string{"A": "x\ny", "B": "1"}, 0},
		{"not an assignment", "A=1\nOPENSHELL_DRIVERS docker\n", nil, 2},
		{"bad name", "1A=x\n", nil, 1},
		{"unquoted blank", "A=x y\n", nil, 1},
		{"unquoted expansion", "A=$HOME/x\n", nil, 1},
		{"unterminated quote", "A=\"x\n", nil, 1},
		{"junk after quote", "A='x' y\n", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, err := ParseEnvFile("gateway.env", []byte(tt.in))
			if tt.errorLine > 0 {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line != tt.errorLine {
					t.Fatalf("error %v, want one at line %d", err, tt.errorLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := Env{}.With(vars)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{"A=1\n", "export B=\"x\\\"\ny\"\n", "C='z'\n", "D=a\\\n", "# x\n;y\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		vars, err := ParseEnvFile("f", b)
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Line < 1) {
			t.Fatalf("error without a line: %v", err)
		}
		for _, v := range vars {
			if !validName(v.Name) || v.Line < 1 {
				t.Fatalf("bad var %+v", v)
			}
		}
	})
}
