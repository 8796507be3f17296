package doctor

import "github.com/openshell-contrib/supctl/remedy"

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

// Action is what a [Remedy] does: a [remedy.Action].
type Action = remedy.Action

// The actions of the remedies doctor gives as a problem's fix, beside the
// others of package remedy.
const (
	// ActionPull: pull Ref (for Platform, when given).
	ActionPull = remedy.Pull
	// ActionRepull: pull the tag Ref's current image, checking the
	// registry whatever the age of the last check; or pin a compatible
	// digest, or change the range.
	ActionRepull = remedy.Repull
	// ActionRelink: pull Ref again, checking the registry, under Range,
	// and point the link Link at it; then restart the gateway. Ref or
	// Range is empty when not known.
	ActionRelink = remedy.Relink
	// ActionReplaceMounted: pull a supervisor under Range and set the
	// gateway's supervisor_bin in the config file Config to its path; or
	// remove the gateway's stale extraction, so that it extracts its
	// image again.
	ActionReplaceMounted = remedy.ReplaceMounted
)

// Remedy is a fix that is one action, with its parameters: a
// [remedy.Remedy], whose String is the fix in words.
type Remedy = remedy.Remedy
