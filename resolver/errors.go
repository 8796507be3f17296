package resolver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/remedy"
	"github.com/openshell-contrib/supctl/supervisor"
)

// Sentinel errors. Errors returned by a [Resolver] wrap at most one of them,
// so a caller (the supctl CLI maps them to exit codes) can tell what went
// wrong with errors.Is.
var (
	// ErrBadReference reports a reference that cannot be parsed.
	ErrBadReference = errors.New("invalid image reference")

	// ErrNotFound reports a repository, tag, digest, platform or binary
	// that does not exist. It is [registry.ErrNotFound].
	ErrNotFound = registry.ErrNotFound

	// ErrUnreachable reports a registry that could not be reached, or that
	// failed (5xx, 429) after bounded retries, when no usable cached copy
	// exists. It is [registry.ErrUnreachable].
	ErrUnreachable = registry.ErrUnreachable

	// ErrDenied reports a registry that refused the credentials, or their
	// absence (401, 403). It is [registry.ErrDenied].
	ErrDenied = registry.ErrDenied

	// ErrNotCached reports a cache miss under [PullNever]. It is
	// cache.ErrNotCached and matches fs.ErrNotExist.
	ErrNotCached = cache.ErrNotCached

	// ErrRefused reports an image whose binary supctl will not use: a
	// symlink, link, device or directory in its place, a name escaping the
	// image root, a binary over the size limit, a layer that inflates
	// beyond its limit, a file that is not ELF or is built for another
	// machine, or content that does not match its digest. It is
	// [registry.ErrRefused].
	ErrRefused = registry.ErrRefused

	// ErrIncompatible reports a binary whose version is outside the
	// required range or unknown under a range; see [IncompatibleError].
	ErrIncompatible = errors.New("incompatible supervisor")
)

// A PlatformError reports that an image index has no manifest for the
// requested platform. It matches [ErrNotFound].
type PlatformError struct {
	Ref  string
	Want string
	Have []string
}

func (e *PlatformError) Error() string {
	have := "none"
	if len(e.Have) > 0 {
		have = strings.Join(e.Have, ", ")
	}
	return fmt.Sprintf("%s has no image for platform %s (it has: %s); %s", e.Ref, e.Want, have, e.Remedy())
}

// Remedy is to choose one of the platforms the image has.
func (e *PlatformError) Remedy() remedy.Remedy {
	return remedy.Remedy{Action: remedy.Platform, Platforms: append([]string{}, e.Have...)}
}

// Is reports whether target is [ErrNotFound].
func (e *PlatformError) Is(target error) bool { return target == ErrNotFound }

// An IncompatibleError reports a supervisor binary whose version is not in
// the range the caller requires, or is unknown while a range is set. It
// matches [ErrIncompatible]. The entry stays in the cache (it is content)
// but the resolve does not return it as usable.
type IncompatibleError struct {
	Ref      string        // the reference resolved
	Digest   digest.Digest // the platform manifest digest
	Platform string
	Version  string // "" when unknown
	Range    string
	// Tried, when the version is unknown, lists the methods tried, why
	// each could not answer and what would fix it.
	Tried []supervisor.Attempt
	// Result describes the binary that was found and refused.
	Result *Result
}

func (e *IncompatibleError) Error() string {
	what := fmt.Sprintf("supervisor %s (%s, %s)", e.Ref, e.Digest, e.Platform)
	if e.Ref == "" && e.Result != nil {
		what = fmt.Sprintf("supervisor binary %s (%s)", e.Result.Path, e.Platform)
	}
	if e.Version == "" {
		return fmt.Sprintf("%s has an unknown version and the range %q is required; %s; %s",
			what, e.Range, supervisor.Explain(e.Tried), e.Remedy())
	}
	return fmt.Sprintf("%s is version %s, outside the required range %q; %s", what, e.Version, e.Range, e.Remedy())
}

// Remedy is, for an unknown version, to learn it on a machine that runs
// the platform's binaries; else to pull the tag's current image (or to
// replace the binary found, when there is no reference).
func (e *IncompatibleError) Remedy() remedy.Remedy {
	switch {
	case e.Version == "":
		return remedy.Remedy{Action: remedy.PinElsewhere, Platform: e.Platform, Before: "or "}
	case e.Ref == "" && e.Result != nil:
		return remedy.Remedy{Action: remedy.ReplaceBinary}
	}
	return remedy.Remedy{Action: remedy.Repull, Ref: e.Ref}
}

// Is reports whether target is [ErrIncompatible].
func (e *IncompatibleError) Is(target error) bool { return target == ErrIncompatible }
