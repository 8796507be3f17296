package gateway

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, s string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
}

// TestLocateConfig: which gateway.toml the gateway reads.
func TestLocateConfig(t *testing.T) {
	home := t.TempDir()
	def := filepath.Join(home, ".config", "openshell", "gateway.toml")
	brew := t.TempDir()
	brewToml := filepath.Join(brew, "var", "openshell", "gateway.toml")
	write(t, brewToml, "", 0o644)
	tests := []struct {
		name, flag string
		env        Env
		mkDefault  bool
		brew       string
		want, src  string
	}{
		// NVIDIA/OpenShell crates/openshell-server/src/cli.rs: --config wins.
		{"flag", "/x.toml", Env{"HOME": home, "OPENSHELL_GATEWAY_CONFIG": "/y.toml"}, true, "", "/x.toml", "--config"},
		// cli.rs: #[arg(long, env = "OPENSHELL_GATEWAY_CONFIG")].
		{"variable", "", Env{"HOME": home, "OPENSHELL_GATEWAY_CONFIG": "/y.toml"}, true, "", "/y.toml", "OPENSHELL_GATEWAY_CONFIG"},
		// cli.rs resolve_config_path + defaults.rs default_gateway_config_path.
		{"default", "", Env{"HOME": home}, true, "", def, "$XDG_CONFIG_HOME/openshell"},
		// crates/openshell-core/src/paths.rs xdg_config_dir: XDG_CONFIG_HOME first.
		{"xdg", "", Env{"HOME": "/nowhere", "XDG_CONFIG_HOME": filepath.Join(home, ".config")}, true, "", def, "$XDG_CONFIG_HOME/openshell"},
		// tasks/scripts/release.py: the Homebrew wrapper's --config fallback.
		{"homebrew", "", Env{"HOME": home}, false, brew, brewToml, "Homebrew prefix"},
		{"homebrew loses to default", "", Env{"HOME": home}, true, brew, def, "$XDG_CONFIG_HOME/openshell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(def)
			if tt.mkDefault {
				write(t, def, "", 0o644)
			}
			f := locateConfig(tt.flag, tt.env, tt.brew)
			if f.Path != tt.want || f.Source != tt.src {
				t.Fatalf("got %s (%s), want %s (%s)", f.Path, f.Source, tt.want, tt.src)
			}
		})
	}
}

// TestReadConfig: what the gateway takes from the file, and what it refuses.
func TestReadConfig(t *testing.T) {
	tests := []struct {
		name, toml string
		check      func(t *testing.T, c Config)
	}{
		// config_file.rs driver_table + inheritable_keys: docker inherits supervisor_image.
		{"inherited supervisor_image", "[openshell.gateway]\nsupervisor_image = \"a:1\"\n", func(t *testing.T, c Config) {
			if s := c.Docker["supervisor_image"]; s.Str != "a:1" || s.From != "[openshell.gateway]" || c.Podman["supervisor_image"].Str != "a:1" {
				t.Fatalf("%+v", c.Docker)
			}
		}},
		// config_file.rs driver_table: the driver's own key wins.
		{"own key wins", "[openshell.gateway]\nsupervisor_image = \"a:1\"\n[openshell.drivers.docker]\nsupervisor_image = \"b:2\"\n", func(t *testing.T, c Config) {
			if s := c.Docker["supervisor_image"]; s.Str != "b:2" || s.From != "[openshell.drivers.docker]" || s.Line != 4 {
				t.Fatalf("%+v", s)
			}
		}},
		// config_file.rs inheritable_keys: supervisor_bin is not inherited.
		{"supervisor_bin not inherited", "[openshell.gateway]\nsupervisor_bin = \"/x\"\n", func(t *testing.T, c Config) {
			if _, ok := c.Docker["supervisor_bin"]; ok {
				t.Fatal("inherited")
			}
		}},
		// config_file.rs load: UnsupportedVersion.
		{"newer schema", "[openshell]\nversion = 2\n", func(t *testing.T, c Config) {
			if !strings.Contains(c.Error, "version = 2") {
				t.Fatalf("%+v", c)
			}
		}},
		// config_file.rs load: SecretInFile database_url.
		{"database_url", "[openshell.gateway]\ndatabase_url = \"x\"\n", func(t *testing.T, c Config) {
			if !strings.Contains(c.Error, "OPENSHELL_DB_URL") {
				t.Fatalf("%+v", c)
			}
		}},
		// config_file.rs GatewayFileSection: compute_drivers: Option<Vec<String>>.
		{"compute_drivers not an array", "[openshell.gateway]\ncompute_drivers = \"docker\"\n", func(t *testing.T, c Config) {
			if c.Syntax == nil || c.Syntax.Line != 2 {
				t.Fatalf("%+v", c)
			}
		}},
		// cli.rs: gateway_jwt from the file wins over the TLS directory.
		{"gateway_jwt", "[openshell.gateway.gateway_jwt]\nsigning_key_path = \"/k\"\n", func(t *testing.T, c Config) {
			if !c.JWTInFile {
				t.Fatal("not seen")
			}
		}},
		// config_file.rs load: an empty file is the default config.
		{"empty", "  \n", func(t *testing.T, c Config) {
			if !c.Exists || c.Syntax != nil || c.Error != "" {
				t.Fatalf("%+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "gateway.toml")
			write(t, p, tt.toml, 0o644)
			tt.check(t, readConfig(File{Path: p, Source: "--config"}))
		})
	}
	// cli.rs resolve_config_path: a missing explicit file is an error; a missing default is not.
	if c := readConfig(File{Path: "/nonexistent/g.toml", Source: "--config"}); c.Error == "" {
		t.Fatal("missing --config file is no error")
	}
	if c := readConfig(File{Path: "/nonexistent/g.toml", Source: "$XDG_CONFIG_HOME/openshell"}); c.Error != "" || c.Exists {
		t.Fatalf("missing default: %+v", c)
	}
}

// TestChooseDriver: configured, or auto-detected in the gateway's order.
func TestChooseDriver(t *testing.T) {
	home := "/home/u"
	answers := func(m map[string]string) func(context.Context, string) string {
		return func(_ context.Context, p string) string {
			if a, ok := m[p]; ok {
				return a
			}
			return AnswerNoSocket
		}
	}
	envFile := EnvFile{File: File{Path: "/e/gateway.env"}, Vars: []EnvVar{{Name: "OPENSHELL_DRIVERS", Value: "podman", Line: 3}}}
	tests := []struct {
		name    string
		env     Env
		ef      EnvFile
		drivers []string
		socks   map[string]string
		want    string
		source  string
		err     string
	}{
		// crates/openshell-server/src/cli.rs: OPENSHELL_DRIVERS over compute_drivers (arg_defaulted).
		{"env over file", Env{"HOME": home, "OPENSHELL_DRIVERS": "Docker "}, EnvFile{}, []string{"podman"}, nil, "docker", "OPENSHELL_DRIVERS in the environment", ""},
		{"env file named", Env{"HOME": home, "OPENSHELL_DRIVERS": "podman"}, envFile, nil, nil, "podman", "OPENSHELL_DRIVERS in /e/gateway.env:3", ""},
		{"file", Env{"HOME": home}, EnvFile{}, []string{"vm"}, nil, "vm", "compute_drivers in ", ""},
		// crates/openshell-server/src/lib.rs select: more than one is refused.
		{"two", Env{"HOME": home, "OPENSHELL_DRIVERS": "docker,podman"}, EnvFile{}, nil, nil, "", "", "multiple compute drivers"},
		// crates/openshell-core/src/config.rs normalize_compute_driver_name.
		{"bad name", Env{"HOME": home}, EnvFile{}, []string{"dock er"}, nil, "", "", "invalid compute driver name"},
		// config.rs detect_driver: Kubernetes first.
		{"kubernetes", Env{"HOME": home, "KUBERNETES_SERVICE_HOST": "10.0.0.1"}, EnvFile{}, nil, map[string]string{"/var/run/docker.sock": AnswerDocker}, "kubernetes", "auto-detection", ""},
		// config.rs: Podman before Docker, by podman_socket_candidates.
		{"podman before docker", Env{"HOME": home, "XDG_RUNTIME_DIR": "/run/user/7"}, EnvFile{}, nil, map[string]string{"/run/user/7/podman/podman.sock": AnswerPodman, "/var/run/docker.sock": AnswerDocker}, "podman", "auto-detection", ""},
		{"OPENSHELL_PODMAN_SOCKET", Env{"HOME": home, "OPENSHELL_PODMAN_SOCKET": "/p.sock"}, EnvFile{}, nil, map[string]string{"/p.sock": AnswerPodman}, "podman", "auto-detection", ""},
		{"podman machine", Env{"HOME": home}, EnvFile{}, nil, map[string]string{home + "/.local/share/containers/podman/machine/podman.sock": AnswerPodman}, "podman", "auto-detection", ""},
		// config.rs docker_socket_responds: a Docker socket answering as Podman is not Docker.
		{"docker.sock leads to podman", Env{"HOME": home}, EnvFile{}, nil, map[string]string{"/var/run/docker.sock": AnswerPodman}, "", "", "found none"},
		// config.rs docker_socket_candidates: DOCKER_HOST unix:// first, then the standard ones.
		{"DOCKER_HOST", Env{"HOME": home, "DOCKER_HOST": "unix:///d.sock"}, EnvFile{}, nil, map[string]string{"/d.sock": AnswerDocker}, "docker", "auto-detection", ""},
		{"desktop socket", Env{"HOME": home}, EnvFile{}, nil, map[string]string{home + "/.docker/run/docker.sock": AnswerDocker}, "docker", "auto-detection", ""},
		{"XDG_RUNTIME_DIR docker", Env{"HOME": home, "XDG_RUNTIME_DIR": "/r"}, EnvFile{}, nil, map[string]string{"/r/docker.sock": AnswerDocker}, "docker", "auto-detection", ""},
		// config.rs docker_host_unix_socket_path: tcp:// is not a candidate.
		{"tcp DOCKER_HOST ignored", Env{"HOME": home, "DOCKER_HOST": "tcp://1.2.3.4:2375"}, EnvFile{}, nil, nil, "", "", "found none"},
		{"none", Env{"HOME": home}, EnvFile{}, nil, nil, "", "", "found none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := chooseDriver(context.Background(), tt.env, tt.ef, Config{File: File{Path: ""}, ComputeDrivers: tt.drivers}, 7, "linux", answers(tt.socks))
			if d.Name != tt.want || !strings.HasPrefix(d.Source, tt.source) || (tt.err == "") != (d.Error == "") || !strings.Contains(d.Error, tt.err) {
				t.Fatalf("got %+v", d)
			}
		})
	}
	// config.rs podman_socket_candidates_from_env, in order.
	got := podmanSockets(Env{"HOME": home, "XDG_RUNTIME_DIR": "/r", "OPENSHELL_PODMAN_SOCKET": "/p"}, 7, "linux")
	if want := []string{"/p", "/r/podman/podman.sock", "/run/user/7/podman/podman.sock", home + "/.local/share/containers/podman/machine/podman.sock"}; !slices.Equal(got, want) {
		t.Fatalf("podman sockets %v", got)
	}
}

// TestDockerMount: the Docker driver's tiers
// (NVIDIA/OpenShell crates/openshell-driver-docker/src/lib.rs resolve_supervisor_bin_source).
func TestDockerMount(t *testing.T) {
	dir := t.TempDir()
	elf := filepath.Join(dir, "bin", "openshell-sandbox")
	write(t, elf, "\x7fELF....", 0o755)
	gw := filepath.Join(dir, "bin", "openshell-gateway")
	work := t.TempDir()
	write(t, filepath.Join(work, "target", "x86_64-unknown-linux-gnu", "release", "openshell-sandbox"), "\x7fELF", 0o755)
	cfg := func(s string) Config {
		p := filepath.Join(t.TempDir(), "g.toml")
		write(t, p, s, 0o644)
		return readConfig(File{Path: p})
	}
	tests := []struct {
		name                  string
		c                     Config
		bin, version, workDir string
		tier, path, image     string
		refresh               bool
	}{
		// Tier 1: supervisor_bin, even with an image set.
		{"bin", cfg("[openshell.drivers.docker]\nsupervisor_bin = \"" + elf + "\"\nsupervisor_image = \"x:1\"\n"), gw, "0.0.47", "", TierBin, elf, "", false},
		// Tier 2: supervisor_image, inherited from [openshell.gateway] (config_file.rs).
		{"image", cfg("[openshell.gateway]\nsupervisor_image = \"x:dev\"\n"), gw, "0.0.47", "", TierImage, "", "x:dev", true},
		// Tier 3: the sibling of the gateway binary.
		{"sibling", cfg(""), gw, "0.0.47", "", TierSibling, elf, "", false},
		// Tier 4: a cargo build of the engine's architecture.
		{"cargo target", cfg(""), "", "0.0.47", work, TierCargoTarget, filepath.Join(work, "target", "x86_64-unknown-linux-gnu", "release", "openshell-sandbox"), "", false},
		// Tier 5: the default image (crates/openshell-core/src/config.rs resolve_supervisor_image_tag: + made -).
		{"default", cfg(""), "", "0.0.47-dev.12+g68d428055", "", TierDefaultImage, "", "ghcr.io/nvidia/openshell/supervisor:0.0.47-dev.12-g68d428055", false},
		// resolve_supervisor_image_tag: no version -> dev, a mutable tag (driver_utils.rs).
		{"default dev", cfg(""), "", "", "", TierDefaultImage, "", "ghcr.io/nvidia/openshell/supervisor:dev", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := dockerMount(tt.c, tt.bin, tt.version, tt.workDir, "amd64", "linux")
			want, _ := filepath.EvalSymlinks(tt.path)
			if m.Tier != tt.tier || (tt.path != "" && m.Path != want) || m.Image != tt.image || m.Refresh != tt.refresh {
				t.Fatalf("got %+v", m)
			}
		})
	}
	// crates/openshell-driver-podman/src/driver.rs supervisor_image_pull_policy.
	if m := podmanMount(cfg("[openshell.drivers.podman]\nsupervisor_image = \"x:latest\"\n"), ""); m.PullPolicy != "newer" || m.Image != "x:latest" {
		t.Fatalf("podman: %+v", m)
	}
	if m := podmanMount(cfg(""), "0.0.47"); m.PullPolicy != "missing" || m.Image != DefaultSupervisorRepo+":0.0.47" {
		t.Fatalf("podman default: %+v", m)
	}
	// driver_utils.rs supervisor_image_tag.
	for img, tag := range map[string]string{"a/b:1.2": "1.2", "a/b": "latest", "a/b@sha256:00": "", "host:5000/a/b": "latest"} {
		if got := imageTag(img); got != tag {
			t.Fatalf("imageTag(%s) = %q", img, got)
		}
	}
}

// TestJWT: the sandbox JWT material (crates/openshell-server/src/defaults.rs
// complete_local_jwt_config; tasks/scripts/release.py for Homebrew's copy).
func TestJWT(t *testing.T) {
	home := t.TempDir()
	tls := filepath.Join(home, ".local", "state", "openshell", "tls")
	brew := t.TempDir()
	for _, f := range JWTFiles {
		write(t, filepath.Join(brew, "var", "openshell", "tls", f), "x", 0o600)
	}
	tests := []struct {
		name    string
		files   []string
		env     Env
		state   string
		missing []string
	}{
		{"complete", JWTFiles, Env{"HOME": home}, JWTComplete, nil},
		{"none", nil, Env{"HOME": home}, JWTNone, JWTFiles},
		{"partial", []string{"jwt/signing.pem", "jwt/kid"}, Env{"HOME": home}, JWTPartial, []string{"jwt/public.pem"}},
		// defaults.rs default_local_tls_dir: OPENSHELL_LOCAL_TLS_DIR first.
		{"elsewhere", JWTFiles, Env{"HOME": home, "OPENSHELL_LOCAL_TLS_DIR": "/nonexistent"}, JWTNone, JWTFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(tls)
			for _, f := range tt.files {
				write(t, filepath.Join(tls, f), "x", 0o600)
			}
			j := readJWT(tt.env, Config{}, brew)
			if j.State != tt.state || !slices.Equal(j.Missing, tt.missing) || !slices.Contains(j.Copies, filepath.Join(brew, "var", "openshell", "tls")) {
				t.Fatalf("got %+v", j)
			}
		})
	}
}

// TestDerivedRange: the release line of the gateway's version.
func TestDerivedRange(t *testing.T) {
	for v, want := range map[string]string{"0.0.47-dev.12+g68d428055": ">=0.0.47-0 <0.0.48-0", "0.0.47": ">=0.0.47-0 <0.0.48-0", "1.2.9-rc.1": ">=1.2.9-0 <1.2.10-0"} {
		r, err := DerivedRange(v)
		if err != nil || r.String() != want {
			t.Fatalf("DerivedRange(%s) = %v, %v", v, r, err)
		}
		if ok, _ := r.Contains("0.0.37-dev.160"); ok {
			t.Fatalf("%s admits 0.0.37-dev.160", want)
		}
	}
	if _, err := DerivedRange("dev"); err == nil {
		t.Fatal("no error for dev")
	}
}

// TestScanProtocol: markers found anywhere, across the read chunks too.
func TestScanProtocol(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b")
	body := make([]byte, 3<<20)
	copy(body[1<<20+len(TokenFileMarker)-10:], TokenFileMarker) // across the end of the first read
	copy(body[100:], OldSecretMarker)
	write(t, p, string(body), 0o644)
	if got := ScanProtocol(context.Background(), p); !got.TokenFile || !got.OldSecret || got.Error != "" {
		t.Fatalf("%+v", got)
	}
	write(t, p, "\x7fELF nothing", 0o644)
	if got := ScanProtocol(context.Background(), p); got.TokenFile || got.OldSecret {
		t.Fatalf("%+v", got)
	}
}
