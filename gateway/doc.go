// Package gateway is the OpenShell gateway as it ships, read the way it
// reads itself: its config file, its env file, the compute driver it will
// use, the supervisor that driver will put in sandboxes, the binaries it
// extracted, its sandbox JWT material and its version. [Read] gathers it
// all, read-only: it creates, moves and rewrites nothing and contacts no
// registry. Package doctor judges what it finds.
//
// Every rule is upstream's, from the NVIDIA/OpenShell repository; each is
// cited here by file, and again where it is modelled.
//
// # Files
//
//   - The config file: the gateway's --config, else OPENSHELL_GATEWAY_CONFIG
//     (clap's env, so the env file's value counts), else
//     $XDG_CONFIG_HOME/openshell/gateway.toml if it is a file
//     (crates/openshell-server/src/cli.rs resolve_config_path,
//     crates/openshell-server/src/defaults.rs,
//     crates/openshell-core/src/paths.rs: XDG_CONFIG_HOME if set, even
//     empty, else $HOME/.config). Homebrew's service wrapper passes
//     <prefix>/var/openshell/gateway.toml when neither of the last two is
//     there (tasks/scripts/release.py). Its [openshell.gateway]
//     compute_drivers, and the [openshell.drivers.docker] and
//     [openshell.drivers.podman] tables merged with the keys they inherit
//     from [openshell.gateway] (crates/openshell-server/src/config_file.rs
//     driver_table, inheritable_keys). A version above 1 and a
//     database_url are refused by the gateway (config_file.rs load).
//   - The env file: $XDG_CONFIG_HOME/openshell/gateway.env, which the deb
//     and rpm user units load (EnvironmentFile=-%E/openshell/gateway.env in
//     deploy/deb/openshell-gateway.service and openshell.spec) and the
//     Homebrew wrapper sources (falling back to
//     <prefix>/var/openshell/gateway.env). Its variables override the
//     environment the gateway is started from. The units set
//     OPENSHELL_LOCAL_TLS_DIR=%h/.local/state/openshell/tls before loading
//     it; the Homebrew wrapper defaults it to
//     ~/.local/state/openshell/homebrew/tls after. (Under systemd the
//     gateway gets the user manager's environment rather than a shell's;
//     [Options.Env] is the place to give it.)
//
// [ParseTOML] reads the TOML subset gateway.toml is written in and
// [ParseEnvFile] the env file; a line either cannot read is a
// [*SyntaxError] naming it.
//
// # The compute driver
//
// OPENSHELL_DRIVERS, else compute_drivers; exactly one name
// (crates/openshell-server/src/lib.rs ComputeDriverRegistry::select,
// crates/openshell-core/src/config.rs normalize_compute_driver_name).
// None: auto-detection (detect_driver in crates/openshell-core/src/config.rs):
// Kubernetes when KUBERNETES_SERVICE_HOST is set; else Podman when one of
// OPENSHELL_PODMAN_SOCKET, $XDG_RUNTIME_DIR/podman/podman.sock,
// /run/user/<uid>/podman/podman.sock,
// ~/.local/share/containers/podman/machine/podman.sock answers a ping as
// Podman (a 200 with a Libpod-Api-Version header); else Docker when one of
// DOCKER_HOST (unix:// only), /var/run/docker.sock,
// ~/.docker/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock answers as
// Docker (a 200 with Api-Version and without Libpod-Api-Version). Upstream
// differs from a first reading in two ways: the fourth Docker socket, and
// a Docker socket that leads to Podman does not count as Docker. The
// gateway ignores Docker contexts; supctl's discovery (package engine)
// honours them, so [EngineChoice] says when the two would talk to
// different engines.
//
// # The supervisor
//
// The Docker driver (crates/openshell-driver-docker/src/lib.rs
// resolve_supervisor_bin_source) takes, in order: supervisor_bin;
// supervisor_image (its table's or inherited); openshell-sandbox beside the
// gateway binary (Linux, an ELF file); a cargo build
// target/<triple>/release/openshell-sandbox under its working directory;
// the default image ghcr.io/nvidia/openshell/supervisor:<tag>
// (crates/openshell-core/src/config.rs default_supervisor_image: the tag is
// fixed at build time; from outside, [DefaultImage] derives it from the
// version the gateway prints, "+" made "-", "dev" when unknown). For an
// image it extracts /openshell-sandbox once per image ID to
// $XDG_DATA_HOME/openshell/docker-supervisor/<ID, ":" made
// "-">/openshell-sandbox and mounts that ([Extraction];
// crates/openshell-core/src/driver_utils.rs supervisor_cache_path); dev
// and latest tags are pulled at every start first
// (supervisor_image_should_refresh). [Read] asks the gateway's engine for
// the image's ID to say which extraction it would mount now. The Podman
// driver mounts the image itself (type=image) with pull policy "newer" for
// dev and latest and "missing" otherwise
// (crates/openshell-driver-podman/src/driver.rs
// supervisor_image_pull_policy), and extracts to podman-supervisor/ only
// for a userns other than host (userns_needs_extraction).
//
// # Sandbox JWTs
//
// The gateway mints sandbox JWTs from jwt/signing.pem, jwt/public.pem and
// jwt/kid of its TLS directory, $OPENSHELL_LOCAL_TLS_DIR else
// $XDG_STATE_HOME/openshell/tls (crates/openshell-server/src/defaults.rs
// complete_local_jwt_config), unless [openshell.gateway.gateway_jwt]
// names them (crates/openshell-server/src/cli.rs). None of the three: it
// mints none, and sandboxes fail with "requires a sandbox principal"
// (crates/openshell-server/src/grpc/auth_rpc.rs). Some but not all:
// upstream refuses to start ("partial local sandbox JWT state"), which is
// stricter than a warning. Homebrew keeps the generated set in
// <prefix>/var/openshell/tls/ and copies it at every start
// (tasks/scripts/release.py); [JWT] names the other copies it finds.
//
// # Protocol heuristic
//
// [ScanProtocol] looks for two strings in a supervisor binary:
// OPENSHELL_SANDBOX_TOKEN_FILE, which upstream's supervisor reads since PR
// #1404 (crates/openshell-core/src/sandbox_env.rs, grpc_client.rs), and
// x-sandbox-secret, the request header the supervisors before it sent. It
// is a heuristic, and reported as one.
//
// # Version
//
// The gateway's version is the first line of "openshell-gateway
// --version" (crates/openshell-server/src/cli.rs: clap, openshell_core::VERSION),
// run with a timeout: it is the user's own program. [DerivedRange] is the
// range of supervisors of its release line, used when no range is given.
package gateway
