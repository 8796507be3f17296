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
//   - [ELFString] reads the version marker an upstream build can embed in
//     its read-only data (see below).
//
// Running the binary, confined on the host or in a container engine, comes
// first because it is the only method that works on every real
// supervisor. [StandardProbers] adds, after [Run], the engine prober
// [Engine] over a [ContainerRunner]: "<bin> --version" in a throwaway
// container of a container engine, for binaries this host cannot run
// itself (a Mac with Apple silicon, whose engine runs linux/arm64). This
// package has no engine client; package engine implements
// [ContainerRunner] on the Engine API and provides the standard set with
// the engine found as the Docker tooling finds it.
//
// Of the methods that run the binary, only the first that could run it is
// asked: a binary that ran and did not answer (a hung --version included)
// is not run again in the engine, so it costs one timeout. An [EnvProber]
// describes what its answer depends on ([ProbeEnv]: the engine endpoint,
// the binfmt_misc handlers), so a caller may record an outcome and reuse
// it while that description holds, as package resolver does.
//
// # Unknown versions
//
// [DetectTried] returns, beside the version, an [Attempt] for every prober
// that could not answer: its method, whether it was not applicable or not
// sure, the reason (the prober's error) and, where one is known, what would
// fix it (install qemu-user-static, start an engine, embed the marker).
// [Explain] turns them into a sentence for an error message. A prober
// outside this package names its method with a Method() [Source] method;
// without one, its type names it. Probers report why they cannot answer by
// wrapping [ErrNotApplicable] or [ErrUnknownVersion] in an error whose text
// says why.
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
//     cancellation the binary's PID namespace and process group are killed;
//   - gets, right after it starts (fork cannot set them for the child), a
//     4 GiB address-space limit and no core dumps; this bounds what it can
//     take once running, not its very first instructions.
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
// # The version marker
//
// [ELFString] reads the version, without running the binary, from a marker
// that an upstream build embeds on purpose. The marker is, byte for byte:
//
//	NUL or LF (or the start of the section)
//	"<name> "   the program name and one space ("openshell-sandbox " by default)
//	<version>   a full semantic version, at most 256 bytes ([compat.ValidVersion])
//	NUL or LF
//
// in the read-only data: first the section named .rodata; if it holds no
// marker, every other allocated, non-executable SHT_PROGBITS section; in a
// file without section headers, the loadable segments that are not
// executable. Sections are read as streams in bounded chunks; if the
// regions claim more bytes than the file has, the version is unknown. A
// marker that runs into the end of its section is not terminated, and does
// not count. Nothing is trimmed or guessed: the bytes between the space and
// the terminator are the version, or the marker has none. If the markers
// hold exactly one distinct version (compared as strings, possibly found
// many times), that is the version; if they disagree, it is unknown.
//
// A Rust build embeds it with
//
//	#[used]
//	static MARKER: [u8; N] = *b"\0openshell-sandbox 0.0.47\0";
//
// and one read of it (core::ptr::read_volatile(&MARKER[0]) in main), so the
// linker keeps it. The leading NUL matters: rustc packs string literals
// without separators, so text before the marker would otherwise be glued
// to it, and clap's own "<name> <version>" line exists only at run time. A
// binary without the marker, such as a plain clap build, gives unknown.
package supervisor
