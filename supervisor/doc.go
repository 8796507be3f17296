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
// unknown ([MethodUnknown]), never a guess; what to do with an unknown
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
// outside this package names its [Method] with a method "Method() Method";
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
// have to be found inside the confinement. [Emulators] lists every handler
// there, read by the same parser, for "supctl doctor".
//
// The run's first process is this program again (through /proc/self/exe,
// with an environment of one variable naming the job and GOMAXPROCS=1),
// because the confinement needs system calls between the fork and the exec
// that Go's os/exec cannot make. It takes over from the init of a package
// of its own that imports little, so it starts before the program
// initialises what it does not need. It starts in new PID, network, mount,
// IPC and UTS namespaces (and a new user namespace when supctl is not
// root), as pid 1 of its PID namespace, and then, before it executes the
// binary in its own place:
//
//   - makes its mounts private, mounts a small tmpfs (nosuid, nodev) over a
//     directory, bind-mounts the binary read-only (nosuid, nodev) onto an
//     empty file "/<name>" there, remounts the tmpfs read-only and chroots
//     into it: no cache, no /proc, /dev or /tmp, nothing it can write or
//     chmod, and no copy of the binary on disk, so a kill -9 at any point
//     leaves nothing behind. Only if the kernel refuses to execute the
//     mounted binary (it is open for writing: ETXTBSY, or on a file system
//     mounted noexec) is it copied into that tmpfs instead;
//   - joins a new, empty session keyring;
//   - sets its limits, which need no privilege to lower and so are always
//     in place: 4 GiB of address space, 64 open files, no file writes
//     (RLIMIT_FSIZE 0), no core dumps, 30 s of CPU, no locked memory or
//     message queues, and at most 64 processes and threads (256 as root,
//     where the count covers every process of nobody on the host);
//   - drops its capability bounding set and its supplementary groups, and
//     changes to nobody (uid and gid 65534: as root, the host's nobody; in
//     a user namespace, the ids inside mapped to the caller's), then clears
//     its effective, permitted, inheritable and ambient capabilities;
//   - sets its parent-death signal (SIGKILL) after that credential change,
//     which clears it, and checks that supctl is still there;
//   - marks every descriptor above standard error close-on-exec, so that
//     none it inherited (from supctl's own caller, say) reaches the binary;
//   - sets no_new_privs and installs a seccomp filter on all its threads:
//     a system call of another ABI (32-bit compat, x32) kills it; keyctl,
//     add_key, request_key, ptrace, process_vm_readv/writev, pidfd_getfd,
//     kcmp, mount and the new mount API, pivot_root, chroot, unshare,
//     setns, clone with namespace flags, bpf, perf_event_open,
//     userfaultfd, module and kexec calls, open_by_handle_at,
//     name_to_handle_at, io_uring, ioctl TIOCSTI and TIOCLINUX,
//     prctl(PR_SET_PDEATHSIG) and personality changes fail with EPERM;
//     clone3 fails with ENOSYS (seccomp cannot read its flags), so a C
//     library falls back to clone. The filter is written for amd64 and
//     arm64; elsewhere the run cannot be set up.
//
// The binary then runs as "/<name> --version" in "/" with an empty
// environment, standard input from the null device, the first 4 KiB of
// standard output kept and the rest discarded, standard error kept only
// for error messages. It is pid 1 of its PID namespace: when it exits or is
// killed, the kernel kills every process it started; and it cannot clear
// its parent-death signal, so when supctl dies, even by kill -9, the whole
// run ends with it. A timeout (default [DefaultRunTimeout]) or a
// cancellation kills it and its process group.
//
// As root, the run also gets a control group of its own, made under
// supctl's group (cgroup v2, or the memory and pids hierarchies of cgroup
// v1) while the first process starts, which does nothing of the run until
// it is in the group: 256 MiB of memory without swap and 64 processes and
// threads, in total, for the whole run; it is removed after
// the run, or by the next run if supctl was killed. Where none can be made
// (not root, hierarchy not writable, controllers not delegated), the limits
// above are the ceiling: they bound each process, and the number of
// processes, but not the memory of all of them together.
//
// As another user than root, the run's user namespace maps only nobody to
// the caller, and the kernel forbids setgroups there: the caller's
// supplementary groups stay (they appear as the overflow group); with no
// file system, network, descriptor or keyring of the host in reach, they
// open nothing.
//
// binfmt_misc handlers with the F flag opened their interpreter when they
// were registered, so an emulated binary runs in the chroot too.
//
// Where the confinement cannot be set up (not Linux, another architecture
// than amd64 and arm64, namespaces refused, user namespaces disabled), the
// binary is not run: the prober is not applicable and says why. A timeout,
// a failing exit status or output other than "<name> <version>" makes the
// version unknown.
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
