// Package bench measures supctl against the targets of SPEC §5 and against
// "the limit", the least work a crash-safe extractor must do to turn a
// supervisor image into a binary on disk: one GET of the layer blob that
// holds the binary, gunzip, untar, write the file and fsync it ([Limit]).
//
// It has two parts:
//
//   - Benchmarks of the library (go test -bench), against an in-process
//     registry: a warm Resolve of a tag and of a digest, and a cold Resolve
//     of a 40 MiB binary beside the limit doing the same in the same
//     process.
//   - TestReport, which runs only with SUPCTL_BENCH=1 and needs Debian's
//     docker-registry: it starts the real registry on 127.0.0.1 behind a
//     counting proxy, pushes 3-layer supervisor images with 40 MiB and
//     150 MiB binaries (realistic content that compresses to about half,
//     and incompressible content), builds supctl, the limit
//     (cmd/limitpull) and the launcher that measures a process's wall
//     time, CPU time and peak RSS (cmd/peakrss), installs crane, regctl
//     and oras into a temporary GOBIN and igzip from Debian's isal
//     package, runs every contender several times as separate processes,
//     on loopback and (as root) across a WAN-like link between two network
//     namespaces it makes, joined by a delay, rate and loss relay of its
//     own, and in-process, pulls the 40 MiB image from a second registry
//     behind a bearer-token realm (the test suite's own token service,
//     behind a counting proxy too), and prints a markdown report of
//     medians, ratios, peak RSS, requests, token requests, connections,
//     round trips before the blob GET, the time from the last byte to
//     exit, and which targets are met. With SUPCTL_BENCH_OUT set, the report is also written to
//     that file.
//
// SUPCTL_BENCH_ONLY (cold, inprocess, warm, concurrent, wan, token;
// comma-separated) measures only the scenarios listed.
//
// One command regenerates the report of BENCHMARKS.md:
//
//	SUPCTL_BENCH=1 SUPCTL_BENCH_OUT=report.md go test -run TestReport -v -timeout 60m ./bench/
//
// Timings on a shared machine are noisy: the report gives medians and
// ratios from one run, never a single absolute time, and no test here has a
// timing threshold. Plain "go test ./..." runs only cheap checks of the
// limit and of the statistics.
package bench
