package doctor

import "fmt"

// Kind says what is wrong, in a word a front end can act on.
type Kind string

// The kinds of a [Problem], from the most serious: see the package
// documentation.
const (
	// KindIncompatible: a supervisor (a reference's, a link's or the
	// gateway's) is outside the range, or of unknown version under it.
	KindIncompatible Kind = "incompatible"
	// KindDamaged: the cache has a corrupt entry, record or link.
	KindDamaged Kind = "damaged"
	// KindNotCached: a reference is not in the cache for the platform.
	KindNotCached Kind = "not-cached"
	// KindCache: the cache directory is unusable (unsafe, unreadable,
	// none given), or could not be examined; leftovers are warnings of it.
	KindCache Kind = "cache"
	// KindEngine: the container engine is missing, does not answer or is
	// not the product asked for.
	KindEngine Kind = "engine"
	// KindGateway: the gateway's setup is wrong (a file that does not
	// parse, no driver, missing JWT material, an engine it cannot use).
	KindGateway Kind = "gateway"
	// KindLookup: a reference could not be looked up in the cache.
	KindLookup Kind = "lookup"
)

// Action is what a [Remedy] does.
type Action string

// The actions of a [Remedy].
const (
	// ActionPull: pull Ref (for Platform, when given).
	ActionPull Action = "pull"
	// ActionRepull: pull the tag Ref's current image, checking the
	// registry whatever the age of the last check; or pin a compatible
	// digest, or change the range.
	ActionRepull Action = "repull"
	// ActionRelink: pull Ref again, checking the registry, under Range,
	// and point the link Link at it; then restart the gateway. Ref or
	// Range is empty when not known.
	ActionRelink Action = "relink"
	// ActionReplaceMounted: pull a supervisor under Range and set the
	// gateway's supervisor_bin in the config file Config to its path; or
	// remove the gateway's stale extraction, so that it extracts its
	// image again.
	ActionReplaceMounted Action = "replace-mounted"
)

// Remedy is a fix that is one action, with its parameters.
type Remedy struct {
	Action   Action `json:"action"`
	Ref      string `json:"ref,omitempty"`
	Platform string `json:"platform,omitempty"`
	Range    string `json:"range,omitempty"`
	Link     string `json:"link,omitempty"`
	Config   string `json:"config,omitempty"`
}

// String is the remedy in words.
func (rm Remedy) String() string {
	switch rm.Action {
	case ActionPull:
		if rm.Platform != "" {
			return fmt.Sprintf("pull %s for %s", rm.Ref, rm.Platform)
		}
		return "pull " + rm.Ref
	case ActionRepull:
		return fmt.Sprintf("pull the current image of the tag %s, checking the registry now, pin a compatible digest, or change the range", rm.Ref)
	case ActionRelink:
		rng := "the range you need"
		if rm.Range != "" {
			rng = fmt.Sprintf("the range %q", rm.Range)
		}
		return fmt.Sprintf("pull %s again, checking the registry now, under %s, and point link %s at it; then restart the gateway",
			orWord(rm.Ref, "the reference"), rng, rm.Link)
	case ActionReplaceMounted:
		return fmt.Sprintf("pull a supervisor under the range %q and set supervisor_bin in %s to its path; or remove the stale extraction (a collection of the gateway's extractions) so the gateway extracts its image again",
			rm.Range, rm.Config)
	}
	return string(rm.Action)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
