package resolver

import (
	"fmt"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ParsePlatform parses "os/arch" or "os/arch/variant", e.g. "linux/arm64",
// with go-containerregistry's v1.ParsePlatform, refusing what that accepts
// but a platform to resolve for is not: a missing OS or architecture, an
// empty part, spaces or an OS version.
func ParsePlatform(s string) (v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" || p.OSVersion != "" || p.String() != s {
		return v1.Platform{}, fmt.Errorf("platform %q: want OS/ARCH or OS/ARCH/VARIANT, e.g. linux/arm64", s)
	}
	return *p, nil
}

// platformString formats p as "os/arch" or "os/arch/variant" (and
// ":osversion" if it has one), as go-containerregistry does.
func platformString(p v1.Platform) string { return p.String() }

// defaultVariant is the variant an architecture means when none is given.
func defaultVariant(arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}

// variantMatches reports whether a manifest of variant have serves a
// request for variant want.
func variantMatches(arch, want, have string) bool {
	if want == "" {
		return true
	}
	if have == "" {
		have = defaultVariant(arch)
	}
	return want == have || (want == defaultVariant(arch) && have == "")
}

// selectManifest picks the manifest for want from an index. With no variant
// asked for, a manifest without a variant or with the architecture's
// default variant is preferred over others.
func selectManifest(im *v1.IndexManifest, want v1.Platform) (v1.Descriptor, error) {
	var cands []v1.Descriptor
	for _, d := range im.Manifests {
		p := d.Platform
		if p == nil || p.OS != want.OS || p.Architecture != want.Architecture {
			continue
		}
		if variantMatches(p.Architecture, want.Variant, p.Variant) {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return v1.Descriptor{}, &PlatformError{Want: platformString(want), Have: indexPlatforms(im)}
	}
	for _, d := range cands {
		if v := d.Platform.Variant; v == "" || v == defaultVariant(want.Architecture) {
			return d, nil
		}
	}
	return cands[0], nil
}

// indexPlatforms lists the platforms an index holds, sorted, without the
// "unknown/unknown" entries of attestation manifests.
func indexPlatforms(im *v1.IndexManifest) []string {
	var out []string
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" {
			continue
		}
		out = append(out, platformString(*d.Platform))
	}
	sort.Strings(out)
	return out
}

// platformMatches reports whether an image built for have serves a request
// for want (variant-aware, as index selection is).
func platformMatches(have, want v1.Platform) bool {
	return have.OS == want.OS && have.Architecture == want.Architecture && variantMatches(have.Architecture, want.Variant, have.Variant)
}
