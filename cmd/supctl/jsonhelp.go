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
schema/ directory of supctl's repository: pull.json, pin.json, ls.json,
gc.json, verify.json, inspect.json, doctor.json, version.json, and
error.json for the failure document. A schema lists the members a document
has at least: later versions may add members, so ignore those you do not
know.

pull, and inspect of a reference:
  ref, digest (the platform manifest), index_digest ("" when the reference
  names a single manifest), platform, path, version ("" when unknown),
  version_source ("unknown" then), binary_sha256, size, resolved_from
  (cache, registry or stale-cache), extracted, checked_at (RFC 3339).
inspect of a file: the same without ref, digest, index_digest and
  checked_at; resolved_from is "file". inspect adds compatible and verdict.
pin: ref, digest, image, range (when set), platforms (one pull document each).
ls: an array of entries; see "supctl ls --help".
gc: dry_run, removed, kept, leftovers, freed_bytes.
verify: entries, records, problems (path, problem, repaired, action).
version: version, commit, modified, go.

On failure the document is an object with an "error" member (inspect, gc and
verify add it to their report):
  message    the error line also printed on stderr
  exit_code  the exit status
  kind       usage, not_found, unreachable, not_cached, incompatible, refused,
             corrupt, cache, interrupted or failure
  and where they apply: ref, digest, platform, platforms (those an image
  has), version, version_source, range, path, problems.

With --log-format json every stderr line is a JSON record, the final error
included: {"time", "level": "ERROR", "msg", "exit_code", "kind"}.`,
	}
}
