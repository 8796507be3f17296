// Package compat decides whether a supervisor version fits a gateway's
// compatibility range.
//
// A gateway declares the supervisor versions it can talk to as a range such
// as ">=0.0.47-0 <0.1.0". [Parse] turns that text into a [Range], and
// [Range.Contains] tells whether a supervisor's version lies inside it. The
// grammar below is the specification; anything it does not allow is
// rejected with a [*ParseError] that points at the offending text.
//
// # Grammar
//
//	range       = ws* alternative ( ws* "||" ws* alternative )* ws*
//	alternative = comparator ( ws+ comparator )*
//	comparator  = [ operator ws* ] version
//	operator    = "=" | "!=" | ">" | ">=" | "<" | "<="
//	version     = [ "v" ] MAJOR "." MINOR "." PATCH [ "-" prerelease ] [ "+" build ]
//	ws          = " " | "\t" | "\r" | "\n"
//
// A range holds a version when at least one of its alternatives does; an
// alternative holds it when every one of its comparators does. A comparator
// without an operator means "=". Whitespace between an operator and its
// version is allowed (">= 1.0.0" is ">=1.0.0"); whitespace is required
// between the comparators of an alternative and optional around "||".
//
// A version is a full Semantic Versioning 2.0.0 version
// (https://semver.org/spec/v2.0.0.html): all three numeric parts are
// required and carry no leading zeros, prerelease identifiers are
// non-empty, numeric ones carry no leading zeros, and build identifiers
// are non-empty runs of [0-9A-Za-z-]. A single leading "v" is accepted and
// ignored. Shorthands such as "1", "1.2", "1.x" or "*", and the npm
// operators "~" and "^", are not part of the grammar.
//
// # Precedence
//
// Versions are ordered by Semantic Versioning 2.0.0 precedence, as
// [Compare] reports it:
//
//   - MAJOR, MINOR and PATCH compare numerically.
//   - A prerelease version is lower than the same version without one:
//     0.0.47-dev.12 < 0.0.47.
//   - Prerelease identifiers compare left to right; numeric identifiers
//     compare numerically and are lower than alphanumeric ones, which
//     compare in ASCII order; a shorter list of equal identifiers is lower:
//     1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta <
//     1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0.
//   - Build metadata is ignored: "=1.0.0+a" holds 1.0.0+b.
//
// Unlike npm, a range does not treat prerelease versions specially: they are
// held or not purely by precedence. So ">=0.0.47-0 <0.1.0" holds
// 0.0.47-dev.12 (because 0.0.47-0 <= 0.0.47-dev.12 < 0.1.0) and does not
// hold 0.0.37-dev.160 (because 0.0.37-dev.160 < 0.0.47-0). The "-0" suffix
// is the lowest prerelease of a version, so ">=X.Y.Z-0" admits every
// prerelease of X.Y.Z.
//
// # Canonical form
//
// [Range.String] prints a range canonically: comparators separated by one
// space, alternatives by " || ", the "=" operator omitted, versions without
// the leading "v" but otherwise as written (build metadata included). The
// canonical form parses back to an equal range.
package compat
