package gateway

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/openshell-contrib/supctl/internal/regularfile"
)

// DefaultSupervisorRepo is the repository of the default supervisor image
// (DEFAULT_SUPERVISOR_IMAGE_REPO in NVIDIA/OpenShell
// crates/openshell-core/src/config.rs).
const DefaultSupervisorRepo = "ghcr.io/nvidia/openshell/supervisor"

// The tiers of the Docker driver's supervisor (resolve_supervisor_bin_source
// in NVIDIA/OpenShell crates/openshell-driver-docker/src/lib.rs), in order.
const (
	TierBin          = "supervisor_bin"
	TierImage        = "supervisor_image"
	TierSibling      = "sibling"      // openshell-sandbox beside the gateway binary (Linux)
	TierCargoTarget  = "cargo-target" // target/<triple>/release/openshell-sandbox of a developer build
	TierDefaultImage = "default-image"
	TierPodmanImage  = "podman-image" // the Podman driver mounts the image itself
)

// Mount is the supervisor the gateway's driver will put in its sandboxes.
type Mount struct {
	Driver string `json:"driver"`
	Tier   string `json:"tier"`
	// Source says where the choice comes from, e.g. "supervisor_bin in
	// [openshell.drivers.docker] at /home/u/.config/openshell/gateway.toml:7".
	Source string `json:"source"`
	// Path is the host file the driver bind-mounts, when known: for
	// supervisor_bin, the file it names with every symbolic link resolved,
	// as the gateway resolves it once at startup (canonicalize_existing_file),
	// and Configured is the path as written (a stable link supctl keeps,
	// say).
	Path       string `json:"path,omitempty"`
	Configured string `json:"configured,omitempty"`
	// Image is the image of the image tiers; DerivedTag is true when its
	// tag was derived from the gateway's version (the default image).
	Image      string `json:"image,omitempty"`
	DerivedTag bool   `json:"derived_tag,omitempty"`
	// ImageID is the image's ID in the gateway's engine, "" when the
	// engine does not have it (the gateway would pull it) or was not asked.
	ImageID string `json:"image_id,omitempty"`
	// Lookup says what the gateway's engine said about Image: "found",
	// "not-local" (the gateway would pull it), "no-engine" (not asked or
	// no answer: which extraction it mounts is not known).
	Lookup string `json:"lookup,omitempty"`
	// Refresh is true for a dev or latest tag: the Docker driver pulls it
	// at every start, so the extraction it mounts follows the registry
	// (supervisor_image_should_refresh, crates/openshell-core/src/driver_utils.rs).
	Refresh bool `json:"refresh,omitempty"`
	// PullPolicy is the Podman driver's policy for the supervisor image:
	// "newer" for dev and latest, else "missing"
	// (supervisor_image_pull_policy, crates/openshell-driver-podman/src/driver.rs).
	PullPolicy string `json:"pull_policy,omitempty"`
	// Note says what is not known and why.
	Note  string `json:"note,omitempty"`
	Error string `json:"error,omitempty"`
}

// DefaultImage is the default supervisor image of a gateway of version v:
// DefaultSupervisorRepo with the version as its tag, "+" made "-", or
// "dev" for no version or 0.0.0 (resolve_supervisor_image_tag in
// crates/openshell-core/src/config.rs). Upstream fixes the tag when the
// gateway is built (OPENSHELL_IMAGE_TAG, IMAGE_TAG, then the crate
// version); the version the gateway prints is the best guess from outside.
func DefaultImage(v string) string {
	if v == "" || v == "0.0.0" {
		v = "dev"
	}
	return DefaultSupervisorRepo + ":" + strings.ReplaceAll(v, "+", "-")
}

// imageTag is supervisor_image_tag (driver_utils.rs): the tag, "latest"
// when none, "" when pinned by digest.
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(name, ":"); i >= 0 {
		return name[i+1:]
	}
	return "latest"
}

func mutableTag(image string) bool {
	t := imageTag(image)
	return t == "dev" || t == "latest"
}

// cargoTriples are linux_supervisor_candidates (lib.rs) by engine
// architecture.
var cargoTriples = map[string]string{"arm64": "aarch64-unknown-linux-gnu", "amd64": "x86_64-unknown-linux-gnu"}

// dockerMount follows the Docker driver's tiers up to the image: 1.
// supervisor_bin; 2. supervisor_image (its own or inherited from
// [openshell.gateway]); 3. openshell-sandbox beside the gateway binary, on
// Linux, if an ELF file; 4. the cargo target build of the engine's
// architecture, relative to the gateway's working directory, if an ELF
// file; 5. the default image. For the image tiers the extraction is found
// by the caller, which asks the engine for the image's ID.
func dockerMount(cfg Config, gatewayBin, gatewayVersion, workDir, engineArch, goos string) Mount {
	m := Mount{Driver: "docker"}
	at := func(key string, s Setting) string {
		return fmt.Sprintf("%s in %s at %s:%d", key, s.From, cfg.Path, s.Line)
	}
	if p, s, ok := cfg.Docker.str("supervisor_bin"); ok {
		m.Tier, m.Path, m.Configured, m.Source = TierBin, p, p, at("supervisor_bin", s)
		if abs, err := filepath.EvalSymlinks(p); err == nil {
			m.Path = abs // the gateway canonicalizes it
		} else {
			m.Error = fmt.Sprintf("supervisor_bin %s: %v: the gateway will not start", p, err)
		}
		return m
	}
	if img, s, ok := cfg.Docker.str("supervisor_image"); ok {
		m.Tier, m.Image, m.Source, m.Refresh = TierImage, img, at("supervisor_image", s), mutableTag(img)
		return m
	}
	if goos == "linux" && gatewayBin != "" {
		sib := filepath.Join(filepath.Dir(gatewayBin), ExtractionBinary)
		if isELF(sib) {
			m.Tier, m.Path, m.Source = TierSibling, sib, "openshell-sandbox beside the gateway binary "+gatewayBin
			if abs, err := filepath.EvalSymlinks(sib); err == nil {
				m.Path = abs
			}
			return m
		}
	}
	if t, ok := cargoTriples[engineArch]; ok && workDir != "" {
		p := filepath.Join(workDir, "target", t, "release", ExtractionBinary)
		if isELF(p) {
			m.Tier, m.Path, m.Source = TierCargoTarget, p, "a cargo build under the gateway's working directory "+workDir
			return m
		}
	}
	m.Tier, m.Image, m.DerivedTag = TierDefaultImage, DefaultImage(gatewayVersion), true
	m.Source = "the default image, its tag derived from the gateway's version"
	if gatewayVersion == "" {
		m.Source = "the default image (the gateway's version unknown: tag dev)"
	}
	m.Refresh = mutableTag(m.Image)
	return m
}

// podmanMount is the Podman driver's supervisor: supervisor_image of its
// table (own or inherited), else the default image; mounted as an image
// (type=image), pulled by its policy.
func podmanMount(cfg Config, gatewayVersion string) Mount {
	m := Mount{Driver: "podman", Tier: TierPodmanImage}
	if img, s, ok := cfg.Podman.str("supervisor_image"); ok {
		m.Image, m.Source = img, fmt.Sprintf("supervisor_image in %s at %s:%d", s.From, cfg.Path, s.Line)
	} else {
		m.Image, m.DerivedTag, m.Source = DefaultImage(gatewayVersion), true, "the default image, its tag derived from the gateway's version"
	}
	m.PullPolicy = "missing"
	if mutableTag(m.Image) {
		m.PullPolicy = "newer"
	}
	if u, _, ok := cfg.Podman.str("userns"); ok && !strings.EqualFold(strings.Split(u, ":")[0], "host") {
		m.Note = fmt.Sprintf("userns %q: the driver extracts the binary to %s/ and bind-mounts that instead (userns_needs_extraction)", u, PodmanExtractions)
	}
	return m
}

// isELF reports whether p is a regular file starting with the ELF magic
// (validate_linux_elf_binary, driver_utils.rs).
func isELF(p string) bool {
	f, err := regularfile.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 4)
	n, _ := f.Read(b)
	return n == 4 && string(b) == "\x7fELF"
}
