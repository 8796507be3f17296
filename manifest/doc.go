// Package manifest is supctl's record of what its cache holds: which
// supervisor binaries it extracted (entries), which image references pointed
// at which digests and when that was last checked (refs), which image indexes
// map which platforms to which manifests (indexes), and which images are
// pinned (pins), and how the version of each binary was sought (probes).
// It is not an OCI image manifest.
//
// # Files
//
// Every record is one small JSON document in its own file, so that processes
// sharing a cache never rewrite each other's records:
//
//	entry.json                  an [Entry], inside its cache entry directory
//	refs/<key>.json             a [Ref]; key is the hex SHA-256 of the reference name
//	indexes/sha256-<hex>.json   an [Index], named by the index digest
//	pins/<key>.json             a [Pin]; key as for refs
//	probes/sha256-<hex>.json    a [Probe], named by the binary's digest
//
// The probes directory is made when the first probe is recorded; a store
// without one has recorded none. A probe record is believed only in a
// probes directory of the caller's that no one else may write.
//
// # Schema
//
// Every document has a "schemaVersion" field, currently [SchemaVersion].
// Keys are written in a fixed order, slices sorted, with a trailing newline.
// A file is replaced only by writing a temporary file in the same directory,
// syncing it and renaming it over the old one ([WriteFile]); it is never
// truncated in place, so a reader sees either the old or the new document.
//
// A document that cannot be decoded or fails validation is corrupt, and so
// is a record file that is not a regular file of the caller's (a symbolic
// link, which is never followed, a FIFO, another user's file): [Read]
// returns an error matching [ErrCorrupt] and changes nothing, so that
// lookups and listings stay pure. The caller treats the record as absent
// and rebuilds it, which replaces the file; [Store.Check] lists such files
// and [Store.SetAside] moves one aside to "<name>.corrupt-<unix-nanoseconds>"
// (supctl verify --repair). A document with a schemaVersion newer than this
// package knows is left untouched and reported with an error matching
// [ErrSchema]: it was written by a newer supctl, and overwriting it would
// lose information.
//
// # Directories
//
// The store owns its directories ([Store.Dirs]): checking them
// ([Store.Check]) and the temporary files killed writers left in them
// ([Store.Leftovers], [Store.RemoveLeftover]) live here, not with the
// callers.
//
// Schema 1 is the first: there is no older document to migrate, and a
// document without a schemaVersion is corrupt, not old. When schema 2
// comes, [Decode] will upgrade a document of an older version in memory,
// one version at a time, through a table of migrations keyed by the version
// they upgrade from; the file is rewritten in the new schema only when it is
// next written, so an older supctl sharing the cache keeps reading it until
// then.
package manifest
