// Package resolver turns a supervisor image reference into a verified,
// version-checked openshell-sandbox binary in a local [cache.Cache]. It is
// the one call an OpenShell gateway makes before it creates a sandbox:
//
//	c, err := cache.Open(dir)
//	r, err := resolver.New(c, resolver.WithRange(compat.MustParse(">=0.0.47-0 <0.1.0")))
//	held, err := r.ResolveAndHold(ctx, "ghcr.io/nvidia/openshell/supervisor:dev")
//	defer held.Release()
//	// held.Path is the binary to bind-mount; held.Version what it reports.
//
// # Holding the binary in use
//
// A gateway bind-mounts the binary into every sandbox it creates, so the
// binary must stay for as long as sandboxes run from it.
// [Resolver.ResolveAndHold] returns a [*Held]: the result with its cache
// entry held in use until [Held.Release]. A held entry is never removed by
// "supctl gc" ([cache.Cache.GC]) nor replaced by another process; the hold
// is a shared file lock, which the kernel drops if the gateway dies. The
// hold is taken inside the resolve, before the entry's final check (an
// entry the resolve extracts is committed held), so no collection can come
// in between. [Resolver.Resolve] followed by [Resolver.Hold] can lose that
// race and must resolve again when Hold reports [ErrNotCached].
//
// # References and freshness
//
// A digest reference is immutable. A tag that is a plain release version
// ("0.0.47", "v1.2.3", see [IsReleaseTag]) is immutable too; every other tag
// ("dev", "latest", "0.0.47-dev.12") floats. Which tags float is an option
// ([WithImmutableTags]).
//
// Under [PullIfStale], the default:
//
//   - a digest reference, or an immutable tag, already cached is served
//     with no registry request;
//   - a floating tag whose last check is younger than the max age
//     ([WithMaxAge], default [DefaultMaxAge]) is served from the records with
//     no registry request;
//   - an older one costs one HEAD of the manifest: the same digest refreshes
//     the check time; a new digest is fetched and extracted;
//   - if that HEAD fails because the registry is unreachable or failing
//     (5xx, 429 after retries), the recorded digest is served with a
//     warning (stale-if-error, [FromStaleCache]); with nothing recorded the
//     error matches [ErrUnreachable].
//
// [PullAlways] checks on every resolve; [PullNever] never contacts the
// registry and reports a miss with [ErrNotCached].
//
// # Platforms
//
// From an image index the manifest for the target platform is selected
// ([WithPlatform], default linux/<GOARCH>), variant-aware: with no variant
// asked for, a manifest with none or with the architecture's default (v8 for
// arm64, v7 for arm) is preferred. A missing platform is a [*PlatformError]
// listing the platforms the index has. A single-manifest image is for the
// platform of its config, checked the same way and recorded in its entry.
// Every result, from the registry or the cache, by tag or by digest, is
// checked against the target platform.
//
// # Extraction
//
// The binary ([WithFile], default /openshell-sandbox) is searched for from
// the top layer down; the search stops at the first layer that decides: one
// holding the file (the last entry of that name in the layer wins), or one
// deleting it with a whiteout of the file or of a directory above it, or an
// opaque whiteout of a directory above it, or one putting a directory at its
// path: explicitly, or implied by an entry below it ("openshell-sandbox/x",
// an opaque marker "openshell-sandbox/.wh..wh..opq"), as the engine's own
// view of the image shows a directory there. A deleted binary is
// [ErrNotFound]. Layers below are not downloaded.
// Each layer streams: compressed bytes are hashed as they arrive, inflated
// (gzip or zstd, sniffed from the first bytes; plain tar otherwise) and read
// as tar; the binary goes straight to a temporary file in the cache. The
// rest of the blob is then read and its digest and size checked before
// anything is committed. Memory stays bounded whatever the binary's size.
//
// Refused with [ErrRefused]: a symlink, hard link or device in place of the
// binary; a layer holding the binary's path both as a file and with entries
// below it; a symlink in place of a directory above it; a tar name
// climbing above the root; a binary over its size limit or a layer that
// inflates beyond its own ([Limits]); content that does not match its
// digest; a file that is not ELF or whose ELF machine is not the platform's.
//
// # Version and compatibility
//
// After verification the binary's version is learned by the probers of
// package supervisor and recorded with how it was learned. The default is
// [engine.Probers] of [engine.Auto] ([WithEngine]): the binary is run
// confined on this host when the kernel can run it, else in a throwaway
// container of the container engine found as the Docker tooling finds it
// (opened on first need only), else read without running; [WithProbers]
// replaces the set. A binary that ran on the host without answering is not
// run again in the engine. Each outcome, a timeout included, is recorded
// by the binary's digest with what it depended on (the engine endpoint and
// its socket, the binfmt_misc handlers; see manifest.Probe), and an unknown
// version is asked again on a later resolve only when that changed or the
// pull policy is [PullAlways]: a hanging --version costs its timeout once.
// With a range set ([WithRange]) a version outside it, or an unknown
// version, gives an [*IncompatibleError] (matching [ErrIncompatible]) that
// names the reference, digest, version and range: never a silent success.
// The entry stays in the cache; it is content. When the cached binary of a
// floating tag does not fit, the tag is checked once (one HEAD) before the
// refusal, whatever the age of its last check: after a gateway upgrade the
// tag has usually moved on.
//
// # Registries
//
// Registry requests are made by package [registry], the project's client
// of the distribution protocol, configured through the resolver's options:
// credentials from [WithKeychain] (default: the Docker config and its
// credential helpers); TLS verified, plain HTTP only for loopback
// registries unless [WithInsecure] is set; mirrors ([WithMirror]). The
// package documentation of [registry] says how each request is bounded,
// retried (Retry-After honoured, capped), resumed and checked; the resolver
// keeps its defaults. A whole resolve or pin is bounded by [WithTimeout]
// (default [DefaultTimeout]); past it the registry is deemed unreachable.
// The bytes inflated across the layers searched are capped
// ([Limits].Inflated). Any failure of a mirror, wrong bytes included, moves
// on to the origin, for checks and fetches alike. A stalled body (no byte
// for the stall timeout) is resumed at most once per resolve or pin,
// whichever blob and source it was: with the default timeouts, a registry
// that stalls every body fails within two stall timeouts (60 s), and
// stale-if-error applies.
//
// # Local images
//
// With [WithImageSource] set to [SourceEngine] or [SourceAuto], an image
// the container engine holds locally (built there and never pushed) is
// used instead of the registry: the engine is asked for the image's ID and
// platform on every resolve (a local call), the binary alone is streamed
// out of a created, never started container, and it is checked, versioned
// and recorded like any other entry, keyed by the image ID, its record's
// Source "engine" and the result's ResolvedFrom [FromEngine]. A rebuild
// changes the ID and is picked up at once. [SourceAuto] uses the engine
// only when it has the image for the target platform. No ref record is
// written for a local image (the engine, not a registry, says what a tag
// is), so gc treats its entries as unreferenced once unused: they are
// extracted again from the engine when needed.
//
// # Pins
//
// [Resolver.Pin] always asks the registry what the reference points at (one
// HEAD, mirrors allowed), never a record: with the registry unreachable it
// fails with [ErrUnreachable]. [Pin.DriverConfig] renders the gateway's
// [openshell.drivers.docker] table for the pinned image ([DriverConfig] for
// any image) and [Pin.WriteConfig] the configuration file a release
// installs, with each platform's checked binary in its comments; values are
// TOML strings, escaped as TOML requires.
//
// # Links
//
// OpenShell's gateway as it ships is not a Go program: its Docker driver
// takes the binary from supervisor_bin in its [openshell.drivers.docker]
// table, resolved once when it starts (crates/openshell-driver-docker/src/lib.rs
// in NVIDIA/OpenShell). [Resolver.ResolveLink] keeps such a path right: it
// resolves under the range and only then switches a link of the cache
// (see "Links" in package cache) to the binary, atomically; a refused or
// failed resolve leaves the link as it was. [BinDriverConfig] and
// [WriteLinkConfig] render the table that sets supervisor_bin to the link,
// escaped as for supervisor_image. Without a range ResolveLink fails with
// [ErrNoRange].
//
// # Errors
//
// Every error says what failed, with the value, and what to do next; none
// names a supctl flag. What to do, when it is an action a front end may
// word as its own flags (another platform, the registry instead of the
// engine, the binary's path), comes as a [remedy.Remedy] that ends the
// message, found with [remedy.Of]. Match errors with errors.Is and
// errors.As, never by their text. [Resolver.Resolve],
// [Resolver.ResolveAndHold] and [Resolver.Pin] return errors matching:
//
//   - [ErrBadReference]: the reference does not parse.
//   - [ErrNotFound]: no such repository, tag, digest or binary in the
//     image; a [*PlatformError] (matching ErrNotFound) when the index has no
//     image for the platform.
//   - [ErrUnreachable]: the registry could not be reached, timed out or
//     kept failing after the retries, and nothing usable was cached; a
//     [*registry.RetryAfterError] when it asked to wait longer than the
//     resolver does, a [*registry.NotRegistryError] when what answered is
//     no registry.
//   - [ErrDenied]: the registry refused the credentials, or their absence
//     (401, 403).
//   - [ErrNotCached] (which is [cache.ErrNotCached] and matches
//     fs.ErrNotExist): a miss under [PullNever].
//   - [ErrRefused]: the image's binary is not one to use (see Extraction).
//   - [ErrIncompatible], as an [*IncompatibleError] with the version and the
//     range: the version is outside the range, or unknown under a range.
//   - [cache.ErrInUse], with [cache.ErrDamaged]: the cached entry is damaged
//     and held in use by another process, so it cannot be extracted again
//     until that process lets go.
//   - [cache.ErrLocking]: the cache is on a file system whose file locks do
//     not work (some network file systems).
//   - [*cache.WriteError]: writing the binary failed, on a full or
//     read-only file system, say; it and the errors of writing a record or
//     a lock file match the errno (syscall.ENOSPC, syscall.EROFS).
//   - [manifest.ErrSchema]: an entry or record was written by a newer
//     supctl; it is neither used nor replaced.
//   - the context's error, once ctx is done.
//
// [Resolver.CheckFile] refuses a path that is not a regular file (a FIFO, a
// directory, a device) with [ErrRefused] before opening it for reading.
// [Resolver.Inspect] takes a path or a reference, by the rule of
// [Resolver.IsPath]; a target that is neither gives an error matching
// [ErrNotFound] and fs.ErrNotExist, and reaches no registry.
// [Resolver.CheckFile] returns [ErrRefused] (wrapping the
// [supervisor.ErrNotELF], [supervisor.ErrWrongMachine] or
// [supervisor.ErrNotExecutable] that says why), an [*IncompatibleError], or
// the error of reading the file (matching fs.ErrNotExist when it is
// missing). [Resolver.Hold] returns an error matching [ErrNotCached],
// [cache.ErrDamaged], [manifest.ErrSchema] or [cache.ErrLocking], as
// [cache.Cache.Hold] does.
//
// # Logging
//
// With [WithLogger], each decision is logged as one event named by its
// message: cache-hit, checked, refreshed, stale-served, extracted,
// set-aside (a damaged entry moved out of the way before it is extracted
// again), incompatible, checked-file (a [Resolver.CheckFile]) and linked
// (a [Resolver.ResolveLink]: the link, whether it was switched, and the
// binary it names). At debug level, version-probe-reused says a recorded
// version lookup was trusted, and every registry request is logged as
// registry-request with its method, URL (without query or credentials),
// status, body bytes and duration.
package resolver
