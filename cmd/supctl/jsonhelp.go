package main

import "github.com/spf13/cobra"

// newJSONTopic is "supctl help json": the schema of --json's documents.
func newJSONTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "json",
		Short: "The documents --json prints",
		Long: `With --json every command prints exactly one JSON document on stdout, on
success and on failure; logs and progress stay on stderr. Strings are printed
as they are ("<", ">" and "&" are not escaped). A field that does not apply is
left out rather than printed empty or zero, except where noted.

Each command's documents have a published JSON Schema (draft 2020-12) in the
schema/ directory of supctl's repository: pull.json (pull --link too),
link.json, pin.json, ls.json, ls-gateway.json (ls --gateway-extractions),
gc.json, gc-gateway.json (gc --gateway-extractions), verify.json,
inspect.json, doctor.json, version.json, and error.json for the failure
document. A schema lists the members a document has at least: later
versions may add members, so ignore those you do not know.

pull, and inspect of a reference:
  ref, digest (the platform manifest), index_digest ("" when the reference
  names a single manifest), platform, path, version ("" when unknown),
  version_source ("unknown" then), binary_sha256, size, resolved_from
  (cache, registry or stale-cache), extracted, checked_at (RFC 3339).
inspect of a file: the same without ref, digest, index_digest and
  checked_at; resolved_from is "file". inspect adds compatible and verdict.
pull --link NAME: the pull document, and link (as below) and switched (whether
  this pull moved the link).
link: name, path (the stable path for supervisor_bin), target (the binary it
  names), digest, ref, platform, version, version_source (of that binary),
  previous (the binary it named before its last switch), problem (what is
  wrong, on failure).
pin: ref, digest, image, range (when set), platforms (one pull document each).
ls: an array of entries; see "supctl ls --help". ls --gateway-extractions:
  an array of the gateway's extractions (driver, image_id, path, size, mtime).
gc: dry_run, removed, kept, leftovers, freed_bytes. gc --gateway-extractions:
  dry_run, dir, removed (extractions), freed_bytes.
doctor: host, engine, cache, gateway (found, binary, packaging, config,
  env_file, driver, engine, mount, supervisor with its verdict, range,
  range_derived, extractions with their versions, jwt, protocol_heuristic),
  refs, links, problems (area, severity, message, fix, code).
verify: entries, records, problems (kind, path, problem, repaired, action;
  kind is directory, entry, lock, record or link), leftovers (what killed
  processes left: path, bytes, age_seconds, what, action; they do not fail
  verify: gc or verify --repair removes them).
version: version, commit, modified, go.

On failure the document is an object with an "error" member (inspect, gc and
verify add it to their report):
  message    the error line also printed on stderr
  exit_code  the exit status
  kind       usage, not_found, unreachable, not_cached, incompatible, refused, denied,
             corrupt, cache, interrupted or failure
  and where they apply: ref, digest, platform, platforms (those an image
  has), version, version_source, range, path, problems.

With --log-format json every stderr line is a JSON record, the final error
included: {"time", "level": "ERROR", "msg", "exit_code", "kind"}.`,
	}
}
