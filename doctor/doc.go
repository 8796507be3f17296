// Package doctor examines a supctl setup and says what is wrong with it
// and how to fix each thing.
//
// [Check] looks at four things, changing nothing: the host (its platform
// and binfmt_misc emulation handlers), the container engine (the endpoint
// discovery chose and why, where /var/run/docker.sock really leads, the
// product, version and platform that answers; see package [engine]), the
// cache (its directory, ownership, entries, the problems
// [cache.Cache.Verify] reports without repairing, and the leftovers a
// [cache.Cache.GC] would remove), and each reference asked about, or
// else each one recorded: the digest selected for the target platform,
// the version and how it was learned, the age of the last registry check
// and the verdict under the range. References are looked up in the cache
// only, as "supctl pull --pull never" does: no registry is contacted and
// nothing is run. Last, the cache's links, the stable paths a gateway's
// supervisor_bin may be set to ([CheckLinks]): each checked in full, and
// under the range, judged by the version of the binary it names.
//
// # Problems and exit codes
//
// Each finding that needs action is a [Problem] with a fix. A
// [SeverityProblem] makes the report fail; a [SeverityWarning] does not.
// [Report.ExitCode] follows the CLI contract: 0 when there is no problem;
// else 3 if a reference is incompatible or of unknown version under the
// range; else 6 if the cache has corrupt entries or records; else 4 if a
// reference asked about is not cached; else 1 (an engine that is
// configured but does not answer, or is not the product asked for; a
// cache directory that is unsafe or unreadable).
package doctor
