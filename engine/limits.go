package engine

import "github.com/moby/moby/api/types/container"

// Per-process limits (setrlimit) of the container [Engine.Run] creates,
// set explicitly on every engine. Without them each engine applies its
// own defaults: Docker the limits of its daemon, rootful Podman raises
// open files and processes to 1048576, which an engine without
// CAP_SYS_RESOURCE (a Podman service in a container or a confined VM)
// cannot grant, so every run there failed with "error setting rlimit
// type 7: operation not permitted". Lowering a limit needs no privilege.
const (
	// NofileLimit is the number of files the binary may hold open.
	NofileLimit = 1024
	// NprocLimit bounds RLIMIT_NPROC, which the kernel counts per user
	// across the engine's host (not per container: [PidsLimit] bounds the
	// container), so it is well above what a host's "nobody" runs.
	NprocLimit = 4096
)

// probeUlimits are the container's limits: [NofileLimit] and [NprocLimit].
func probeUlimits() []*container.Ulimit {
	return []*container.Ulimit{
		{Name: "nofile", Soft: NofileLimit, Hard: NofileLimit},
		{Name: "nproc", Soft: NprocLimit, Hard: NprocLimit},
	}
}
