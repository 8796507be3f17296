package integration

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestPullAuthTLS pulls from a registry that serves HTTPS with its own CA
// and requires a password, as a user whose Docker config holds the
// credentials and whose system trusts that CA (SSL_CERT_FILE). It checks
// the bytes pulled; that a wrong or missing password is a one-line "access
// denied" error pointing at docker login, which never shows the password;
// and that a CA the system does not trust is an error about the
// certificate.
func TestPullAuthTLS(t *testing.T) {
	t.Parallel()
	const (
		name     = "alice"
		password = "s3cret-Pa55w0rd-never-printed"
		wrong    = "wr0ng-Pa55w0rd-never-printed"
	)
	reg := startRegistry(t, registrytest.Options{TLS: true, Htpasswd: map[string]string{name: password}})
	b, ref := reg.push(t, "private/supervisor:dev", fixture.Options{Version: versionC})
	im := b.Images["linux/amd64"]
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, reg.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	secrets := []string{password, wrong, basicAuth(name, password), basicAuth(name, wrong)}
	noSecrets := func(t *testing.T, o outcome) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(o.stderr, s) || strings.Contains(o.stdout, s) {
				t.Errorf("supctl printed a secret (%q):\n%s", s, o)
			}
		}
	}

	t.Run("ok", func(t *testing.T) {
		u := newUser(t).withEnv("SSL_CERT_FILE=" + caFile)
		writeDockerConfig(t, u, reg.Host(), name, password)
		res, o := u.pullJSON(t, ref, "--platform", "linux/amd64", "--log-level", "debug")
		noSecrets(t, o)
		checkBinary(t, res.Path, u.cache, im)
		if res.Version != versionC || res.ResolvedFrom != "registry" || !res.Extracted {
			t.Errorf("pull over TLS with a password: %+v", res)
		}
	})

	for _, tc := range []struct {
		name string
		pass string // "" for no credentials at all
	}{
		{"wrong-password", wrong},
		{"no-credentials", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUser(t).withEnv("SSL_CERT_FILE=" + caFile)
			if tc.pass != "" {
				writeDockerConfig(t, u, reg.Host(), name, tc.pass)
			}
			o := u.supctl(t, "pull", ref, "--platform", "linux/amd64", "--log-level", "debug", "--log-format", "json")
			t.Logf("exit %d: %s", o.code, strings.TrimSpace(o.stderr))
			// Access denied is not one of the specific exit codes of the
			// contract (3, 4, 5): it is 1, "other failure".
			if o.code != 1 {
				t.Errorf("want exit 1:\n%s", o)
			}
			noSecrets(t, o)
			if o.stdout != "" {
				t.Errorf("a failed pull printed on stdout: %q", o.stdout)
			}
			// With --log-format json the error is the last JSON line.
			line := lastLine(o.stderr)
			var ev struct {
				Level, Msg, Kind string
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Level != "ERROR" || ev.Kind != "denied" ||
				!strings.Contains(ev.Msg, "access denied") || !strings.Contains(ev.Msg, "docker login") {
				t.Errorf("the error is not one JSON line of kind denied saying access denied and to docker login: %q", line)
			}
			noEntries(t, u)
		})
	}

	t.Run("untrusted-ca", func(t *testing.T) {
		u := newUser(t) // no SSL_CERT_FILE: the system's roots only
		writeDockerConfig(t, u, reg.Host(), name, password)
		o := u.supctl(t, "pull", ref, "--platform", "linux/amd64")
		t.Logf("exit %d: %s", o.code, strings.TrimSpace(o.stderr))
		if o.code == 0 {
			t.Fatalf("a registry whose CA is not trusted was used:\n%s", o)
		}
		noSecrets(t, o)
		line := errorLine(t, o)
		if !strings.Contains(strings.ToLower(line), "certificate") {
			t.Errorf("the error does not say the certificate is not trusted: %q", line)
		}
		noEntries(t, u)

		// The contract wants errors that also say what to do, even
		// though a loopback registry is also tried over plain HTTP.
		if !strings.Contains(line, "CA certificate") {
			t.Errorf("an untrusted registry certificate gives no remedy: %q", line)
		}
	})
}

// writeDockerConfig gives u credentials for host in its Docker config.
func writeDockerConfig(t *testing.T, u *user, host, name, password string) {
	t.Helper()
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{"auth": basicAuth(name, password)}}}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(u.dockerConfig, "config.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func basicAuth(name, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(name + ":" + password))
}

// lastLine is the last line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
