// Package engine finds the container engine the Docker tooling would use,
// says which one it is, and runs one static binary in it, confined.
//
// It speaks the Engine API (github.com/moby/moby/client) that Docker
// Engine, Docker Desktop and Podman's compatible socket all serve; no
// docker or podman command needs to be installed.
//
// # Finding the engine
//
// [Discover] chooses an [Endpoint] from an [Env] (the process environment
// as [FromOS] reads it) without contacting anything. For [Auto] and
// [Docker], in this order:
//
//  1. DOCKER_HOST, if set ([SourceDockerHost]), with DOCKER_TLS_VERIFY and
//     DOCKER_CERT_PATH for TLS client certificates;
//  2. the current Docker context ([SourceContext]): DOCKER_CONTEXT, else
//     "currentContext" in config.json of the configuration directory
//     (DOCKER_CONFIG, else ~/.docker); the context named "default" means
//     "no context". Its endpoint is the "docker" endpoint's Host in
//     contexts/meta/<hex SHA-256 of the name>/meta.json, and its TLS
//     files, if any, are in contexts/tls/<same>/docker/;
//  3. the first standard socket that exists and this process may connect
//     to ([SourceSocket]): [DockerSocket], then, for [Auto] only,
//     [PodmanRootfulSocket] and $XDG_RUNTIME_DIR/podman/podman.sock; if
//     none may be connected to, the first that exists, so that the
//     permission error says what to do.
//
// [Podman] uses CONTAINER_HOST, else the Podman sockets. An endpoint set by
// DOCKER_HOST or a context is used even when nothing answers there, as the
// Docker tooling does: a dead DOCKER_HOST is an error, not a reason to
// try another engine. A unix socket records where it really leads when it
// is a symlink (Endpoint.Target), which tells a /var/run/docker.sock that
// leads to Podman from one that leads to Docker Desktop. ssh:// endpoints
// are refused with advice: they need the docker CLI.
//
// # Opening it
//
// [Open] discovers, connects, negotiates the API version (down to the
// engine's; the client's floor is API 1.40, Docker 19.03, and
// DOCKER_API_VERSION fixes the version instead, the client's documented way
// to older engines) and asks the
// engine for its version and system information, all within
// [DefaultOpenTimeout]. [Info] holds the product ([ProductDockerEngine],
// [ProductDockerDesktop] or [ProductPodman]: Podman from its "Podman
// Engine" version component, Docker Desktop from the platform name or the
// operating system the engine reports), its version and its OS and
// architecture in Go's terms. [Docker] and [Podman] refuse an engine of
// the other product ([ErrWrongProduct]).
//
// # Running a binary
//
// [Engine.Run] runs a binary in a throwaway container created through the
// API from the probe image ([ProbeImage]), which this package builds and
// loads itself, once per platform, so an engine with no images and no
// registry works. The binary is copied into the container (which works
// with a remote engine or one in a VM) or, when asked, bind-mounted
// read-only. The container has no network, no capabilities, a read-only
// root, user [User], no-new-privileges, process and memory limits, limits
// of open files and processes ([NofileLimit], [NprocLimit]), no log
// driver, and the binary's platform; the run is bounded in time
// ([DefaultContainerTimeout]) and output ([MaxOutput] bytes of each stream).
// The container and its volume are always removed (forced, with a fresh
// context, so after a timeout or cancellation too). Should the process die
// first (kill -9), a reaper removes them: a process of the same program,
// started before the container is created, in a process group of its own,
// that force-removes the container through the Engine API when the pipe
// it holds from the running process closes without the word that the run
// is over. Every container carries the label [LabelProbe], and expired ones
// are swept by the next run of any process ([LabelExpires]).
//
// [Engine.RunBinary] and the lazily opened [Runner] implement
// [supervisor.ContainerRunner]; [Probers] is the standard prober set with
// the engine (see [supervisor.StandardProbers]).
//
// # Local images and diagnosis
//
// [Engine.Image] reports an image the engine holds (its ID and platform);
// [Engine.ReadFile] streams one file of it through a created, never
// started container and the engine's archive endpoint; [Engine.LoadImage]
// loads a "docker save" archive and [Engine.RemoveImage] removes an image.
// [Diagnose] opens the engine as [Open] does
// but keeps what it learned at each step, and where [DockerSocket] really
// leads, for "supctl doctor". (This host's binfmt_misc handlers are
// listed by the supervisor package's Emulators.)
//
// # Errors
//
// [ErrNoEngine] (nothing configured or [None]), [ErrBadEndpoint] (a
// malformed variable or context), [ErrUnreachable] (a [*UnreachableError]
// naming the endpoint, how it was chosen and what to change),
// [ErrWrongProduct] and [ErrCannotRun] ("exec format error": the engine
// has no emulation for the binary's architecture, which also wraps
// [supervisor.ErrNotApplicable]). A [Runner] wraps [supervisor.ErrNotApplicable]
// around every reason it has no engine to run in, so a version lookup
// moves on to the next method and can say what would fix it.
//
// Engines are shared: the containers this package creates are named
// "supctl-probe-<random>" and labelled, with [LabelExpires] saying when
// they are surely out of use; a process killed before it removed its
// container leaves it, and the next process to run something removes the
// expired ones. Nothing else in the engine is changed, apart from the probe
// images it loads.
package engine
