// Package doctor examines a supctl setup and says what is wrong with it
// and how to fix each thing.
//
// [Check] looks at five things, changing nothing: the host (its platform
// and binfmt_misc emulation handlers), the container engine (the endpoint
// discovery chose and why, where /var/run/docker.sock really leads, the
// product, version and platform that answers; see package [engine]), the
// cache (its directory, ownership, entries, the problems
// [cache.Cache.Verify] reports without repairing, and the leftovers a
// [cache.Cache.GC] would remove), and each reference asked about, or
// else each one recorded: the digest selected for the target platform,
// the version and how it was learned, the age of the last registry check
// and the verdict under the range. References are looked up in the cache
// only, as a pull that never checks the registry does: none is contacted and
// nothing is run. A cache directory without supctl's layout (entries/,
// refs/, indexes/, pins/), such as the gateway's own docker-supervisor/,
// is noted, and nothing is created in any. Then the cache's links, the
// stable paths a gateway's supervisor_bin may be set to ([CheckLinks]):
// each checked in full, and under the range, judged by the version of the
// binary it names.
//
// # The gateway
//
// The fifth is the OpenShell gateway as it ships, read by package
// [gateway] the way it reads itself ([WithGateway], [WithoutGateway]):
// its config and env files (a line that does not parse is a problem
// naming it), the compute driver it will use and why, whether its engine
// is not supctl's, the supervisor it will mount and, for an image, which
// of its own extractions that is, each extraction's version learned as
// supctl learns versions (run confined or in a throwaway container of the
// engine, never unconfined) and its age, the sandbox JWT material (partial
// or none is a problem naming the missing files and a complete copy), and
// the verdict: the mounted supervisor's version under the range given or,
// without one, under the range derived from the gateway's version
// ([gateway.DerivedRange], shown as derived). An incompatible or unknown
// version is a problem of [KindIncompatible]; a stale extraction not mounted now is a
// warning (a problem when which one is mounted cannot be told). The
// protocol heuristic ([gateway.ScanProtocol]) is a warning, labelled as a
// heuristic. A machine with no trace of a gateway gets no finding. This
// runs the gateway's own program with --version, with a timeout.
//
// # Problems and their kinds
//
// Each finding that needs action is a [Problem] with a fix, in words; a
// fix that is one action ([ActionPull], [ActionRepull], [ActionRelink],
// [ActionReplaceMounted], or another of package remedy's) also comes as a
// [Remedy] with its parameters, for a front end that words it as its own
// command. A message that ends with an error's remedy has it as
// [Problem.MessageRemedy]. The package names no command line flags. A [SeverityProblem] makes the report fail
// ([Report.OK]); a [SeverityWarning] does not. Each problem has a [Kind],
// which a front end maps to what it does (supctl, to its exit status).
// From the most serious:
//
//   - [KindIncompatible]: a reference, link or the gateway's supervisor is
//     incompatible or of unknown version under the range;
//   - [KindDamaged]: the cache has corrupt entries, records or links;
//   - [KindNotCached]: a reference asked about is not cached;
//   - [KindCache], [KindEngine], [KindGateway], [KindLookup]: a cache
//     directory that is unsafe or unreadable; an engine that is configured
//     but does not answer, or is not the product asked for; a gateway
//     setup that will not start or work; a reference that could not be
//     looked up.
package doctor
