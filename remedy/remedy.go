package remedy

import (
	"errors"
	"fmt"
)

// Action is what the user does about a failure.
type Action string

// The actions. Each says which parameters of a [Remedy] it uses.
const (
	// Pull: pull Ref, for Platform when given.
	Pull Action = "pull"
	// Repull: pull the tag Ref's current image, checking the registry
	// whatever the age of the last check; or pin a compatible digest, or
	// change the range.
	Repull Action = "repull"
	// Relink: pull Ref again, checking the registry, under Range, and
	// point the link Link at it; then restart the gateway. Ref or Range
	// is empty when not known.
	Relink Action = "relink"
	// ReplaceMounted: pull a supervisor under Range and set the gateway's
	// supervisor_bin in the config file Config to its path; or remove the
	// gateway's stale extraction, so that it extracts its image again.
	ReplaceMounted Action = "replace-mounted"
	// ReplaceBinary: install a compatible supervisor binary in place of
	// the one found, or change the range.
	ReplaceBinary Action = "replace-binary"
	// PinElsewhere: pin the image with the range on a machine that runs
	// Platform binaries, and use that digest here without a range.
	PinElsewhere Action = "pin-elsewhere"
	// Platform: choose one of the image's platforms, Platforms (nil when
	// they are not listed).
	Platform Action = "platform"
	// OnePlatform: pin a single-platform image for one platform only.
	OnePlatform Action = "one-platform"
	// BinaryPath: give the path of the supervisor binary in the image.
	BinaryPath Action = "binary-path"
	// Mirror: use a mirror of the registry.
	Mirror Action = "mirror"
	// Timeout: raise the timeout of the operation.
	Timeout Action = "timeout"
	// DropScheme: write the reference as Ref, without a scheme; plain
	// HTTP is for loopback registries or insecure ones.
	DropScheme Action = "drop-scheme"
	// Insecure: allow plain HTTP (insecure registries).
	Insecure Action = "insecure"
	// Registry: resolve the reference from the registry, not the engine.
	Registry Action = "registry"
	// Engine: use the container engine Engine ("auto": discover it).
	Engine Action = "engine"
	// CacheDir: give a cache directory (or set the environment variable
	// Env, when given).
	CacheDir Action = "cache-dir"
	// OtherCacheDir: choose another cache directory.
	OtherCacheDir Action = "other-cache-dir"
	// LocalCacheDir: use a cache directory on a local file system.
	LocalCacheDir Action = "local-cache-dir"
	// RealCacheDir: use a real directory (not a link) as the cache
	// directory.
	RealCacheDir Action = "real-cache-dir"
	// Repair: run a verification of the cache that repairs it.
	Repair Action = "repair"
	// Collect: run a collection of the cache, or a repairing
	// verification.
	Collect Action = "collect"
	// CollectExtractions: run a collection of the gateway's extractions.
	CollectExtractions Action = "collect-extractions"
	// GatewayProgram: name the gateway's program, or give a range.
	GatewayProgram Action = "gateway-program"
	// Range: give a range, or name the gateway's program.
	Range Action = "range"
)

// Actions returns every action, for a front end's tests: one that words
// actions its own way checks that it has words for each.
func Actions() []Action {
	return []Action{Pull, Repull, Relink, ReplaceMounted, ReplaceBinary, PinElsewhere, Platform, OnePlatform,
		BinaryPath, Mirror, Timeout, DropScheme, Insecure, Registry, Engine, CacheDir, OtherCacheDir, LocalCacheDir, RealCacheDir,
		Repair, Collect, CollectExtractions, GatewayProgram, Range}
}

// Remedy is what to do about a failure: one action and its parameters.
type Remedy struct {
	Action    Action   `json:"action"`
	Ref       string   `json:"ref,omitempty"`
	Platform  string   `json:"platform,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	Range     string   `json:"range,omitempty"`
	Link      string   `json:"link,omitempty"`
	Config    string   `json:"config,omitempty"`
	Engine    string   `json:"engine,omitempty"`
	Env       string   `json:"env,omitempty"`

	// Before and After are the library's words said before and after the
	// action's: another course offered first ("try again later or "), a
	// consequence ("; then restart the gateway"). They name no flag.
	Before string `json:"-"`
	After  string `json:"-"`
}

// String is the remedy in the library's words: Before, the action's
// words, After.
func (r Remedy) String() string { return r.Before + r.words() + r.After }

// words is the action in the library's words.
func (r Remedy) words() string {
	switch r.Action {
	case Pull:
		if r.Platform != "" {
			return fmt.Sprintf("pull %s for %s", r.Ref, r.Platform)
		}
		return "pull " + r.Ref
	case Repull:
		return fmt.Sprintf("pull the current image of the tag %s, checking the registry now, pin a compatible digest, or change the range", orWord(r.Ref, "the reference"))
	case Relink:
		rng := "the range you need"
		if r.Range != "" {
			rng = fmt.Sprintf("the range %q", r.Range)
		}
		return fmt.Sprintf("pull %s again, checking the registry now, under %s, and point link %s at it; then restart the gateway",
			orWord(r.Ref, "the reference"), rng, r.Link)
	case ReplaceMounted:
		return fmt.Sprintf("pull a supervisor under the range %q and set supervisor_bin in %s to its path; or remove the stale extraction (a collection of the gateway's extractions) so the gateway extracts its image again",
			r.Range, r.Config)
	case ReplaceBinary:
		return "install a compatible supervisor binary there, or change the range"
	case PinElsewhere:
		return fmt.Sprintf("check the image on a machine that runs %s binaries (pin it with the range there) and use that digest here without a range", r.Platform)
	case Platform:
		if r.Platforms == nil {
			return "choose a platform the image has"
		}
		return "choose one of those platforms"
	case OnePlatform:
		return "pin it for one platform"
	case BinaryPath:
		return "the binary's path"
	case Mirror:
		return "use a mirror"
	case Timeout:
		return "raise the timeout"
	case DropScheme:
		return fmt.Sprintf("drop the scheme and write %s (HTTPS is used, and plain HTTP for loopback registries or with the insecure option)", r.Ref)
	case Insecure:
		return "allow insecure registries"
	case Registry:
		return "resolve it from the registry instead"
	case Engine:
		switch r.Engine {
		case "auto":
			return "discover the engine automatically"
		case "docker":
			return "choose the Docker engine"
		case "podman":
			return "choose the Podman engine"
		}
		return "choose the engine " + r.Engine
	case CacheDir:
		if r.Env != "" {
			return "give a cache directory or set " + r.Env
		}
		return "give a cache directory"
	case OtherCacheDir:
		return "choose another cache directory"
	case LocalCacheDir:
		return "use another one"
	case RealCacheDir:
		return "use a real directory as the cache directory"
	case Repair:
		return "a repairing verification"
	case Collect:
		return "a collection or a repairing verification"
	case CollectExtractions:
		return "a collection of the gateway's extractions"
	case GatewayProgram:
		return "name the gateway's program, or give a range"
	case Range:
		return "give a range, or name the gateway's program"
	}
	return string(r.Action)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

// Error is an error with its remedy. Its message is Err's, "; ", then the
// remedy's words.
type Error struct {
	Err error
	Fix Remedy
}

func (e *Error) Error() string { return e.Err.Error() + "; " + e.Fix.String() }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Remedy returns Fix.
func (e *Error) Remedy() Remedy { return e.Fix }

// Of returns the remedy of the first error in err's chain that carries
// one (a Remedy() Remedy method, as [*Error] has), found with errors.As.
// A zero Remedy (no action) is none.
func Of(err error) (Remedy, bool) {
	var c interface{ Remedy() Remedy }
	if errors.As(err, &c) {
		r := c.Remedy()
		return r, r.Action != ""
	}
	return Remedy{}, false
}
