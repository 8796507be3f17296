// Package supervisor identifies an openshell-sandbox binary: its ELF machine
// and its version.
//
// A gateway must only start a supervisor whose version fits its
// compatibility range (see package [compat]). This package answers the two
// questions that decision needs about a supervisor file: is it a Linux
// executable for the intended platform ([CheckELF]), and exactly which
// version is it ([Detect]). [Identify] answers both for a file on disk and
// adds its size and SHA-256 digest.
//
// # Versions
//
// The supervisor prints
//
//	openshell-sandbox 0.0.47-dev.13+g57b71c68f
//
// for --version; its version is "0.0.47-dev.13+g57b71c68f". Every version
// this package reports is a full semantic version as
// [compat.ValidVersion] defines it. When no method is sure, the version is
// unknown ([SourceUnknown]), never a guess; what to do with an unknown
// version is the caller's decision.
//
// # Probers
//
// [Detect] asks each [Prober] in turn and the first sure answer wins. A prober
// that is not sure returns [ErrUnknownVersion]; one that cannot work here
// returns [ErrNotApplicable]. The [DefaultProbers], in order, are:
//
//   - [Run] executes the binary with --version, confined, if this host can
//     run it, and parses the first line of its output with
//     [ParseVersionLine].
//   - [BuildInfo] reads the build information of a Go binary.
//   - [ELFString] searches the read-only data of any ELF binary, such as
//     the real, Rust-built supervisor, for the line --version would print.
//
// # Running a binary, confined
//
// Registry content is untrusted, so [RunProber] never runs a binary on the
// host unconfined. It runs one only if this host is Linux, the platform's
// OS is "linux", and the kernel can execute it: the architecture is the
// host's GOARCH and the variant is empty or one the host surely supports
// ("v8" on arm64; on amd64 and arm, a level no higher than the one this
// program was built for), or a binfmt_misc handler registered under
// [BinfmtDir] matches the file's first bytes (magic and mask, as the kernel
// matches them) and has the F flag, such as qemu-user-static's
// qemu-aarch64. A handler without F is passed over: its interpreter would
// have to be found inside the confinement.
//
// The run:
//
//   - sees as "/" a new directory in the system's temporary directory
//     that holds only a read-only copy of the binary (chroot): no cache, no
//     /proc, /dev or /tmp, nothing it could write; the copy has no set-id
//     bits or file capabilities, and the directory is removed afterwards;
//   - as root, runs as nobody (uid and gid 65534, no supplementary groups)
//     with an empty capability bounding set; as another user, runs as uid
//     65534 in a new user namespace mapped to the caller, whose
//     capabilities (the kernel grants them over that namespace only) are
//     dropped by the change to uid 65534;
//   - has no effective, permitted or ambient capabilities, and
//     no_new_privs set, so exec cannot grant any;
//   - gets new PID, network, mount, IPC and UTS namespaces: the network
//     has only a loopback interface that is down, and when the binary
//     exits or is killed the kernel kills every process it started;
//   - runs "/<name> --version" in "/" with an empty environment, standard
//     input from the null device, the first 4 KiB of standard output kept
//     and the rest discarded, standard error kept only for error messages;
//   - is bounded by a timeout (default [DefaultRunTimeout]); on timeout or
//     cancellation the binary's PID namespace and process group are killed.
//
// Where the confinement cannot be set up (not Linux, namespaces refused,
// user namespaces disabled), the binary is not run: the prober is not
// applicable and says why. A timeout, a failing exit status or output other
// than "<name> <version>" makes the version unknown.
//
// As another user than root, a run in a user namespace owns its private
// directory (the kernel maps it to the caller), so it could write there;
// that directory holds only its own copy and is removed after the run.
//
// # Go build information
//
// [BuildInfo] takes the version from the -ldflags the binary was built
// with, when they set a variable named "version" in any package with -X
// (as in -ldflags "-X main.version=0.0.47"), and otherwise from the main
// module's version. It is not sure, and says so, when the -X values
// disagree or are not semantic versions, when the -X value and the module
// version differ in precedence, or when neither is set: the module
// version "(devel)" and pseudo-versions (which name commits, not releases)
// do not count. The go command omits -ldflags from the build information
// of binaries built with -trimpath.
//
// # The ELF string rule
//
// [ELFString] looks for the marker "<name> " (the program name and one
// space, exactly as --version prints it; "openshell-sandbox " by default)
// followed by a version:
//
//  1. Where to look. First the section named .rodata; if no version is
//     found there, every other allocated, non-executable SHT_PROGBITS
//     section; in a file without section headers, the loadable segments
//     that are not executable. Sections are read as streams in bounded
//     chunks, so the file is never loaded whole into memory. If the
//     regions to search claim more bytes than the file has, the file is
//     malformed and the version unknown.
//  2. Where a version starts. Right after the marker. Nothing is required
//     before the marker: Rust packs string literals without separators.
//     Text such as "openshell-sandbox-0.0.36/src/lib.rs" (a hyphen, not a
//     space) or "clap 4.5.4" does not match.
//  3. Where it ends. Take the longest run of bytes from [0-9A-Za-z.+-]
//     after the marker (at most 256 bytes; a longer run is no version).
//     While the run is not a valid version and ends in '.', '-' or '+',
//     drop that last byte. If what remains is a valid version (an optional
//     leading "v", then MAJOR.MINOR.PATCH[-prerelease][+build]), it is the
//     version at this marker; otherwise the marker has none.
//  4. The answer. If the markers in .rodata (or, when .rodata holds none,
//     in the other regions) hold exactly one distinct version, compared as
//     strings and possibly found many times, that is the version. If they
//     hold different versions, the version is unknown, not a guess.
//
// Step 3 cannot see where a packed string ends when the next string starts
// with a byte of [0-9A-Za-z.+-]. If the version 0.0.47-dev.13+g57b71c68f
// is followed by the string "called Option::unwrap()", the run is
// "0.0.47-dev.13+g57b71c68fcalled", itself a valid version whose build
// metadata is "g57b71c68fcalled", and that is what [ELFString] reports;
// had the version been 0.0.47, the run "0.0.47called" would be no version
// at all. No rule over the bytes alone can tell such cases apart, which is
// why [Run] comes first and [ELFString] last. Glued build metadata does
// not change compatibility, which ignores it; glued prerelease text would.
package supervisor
