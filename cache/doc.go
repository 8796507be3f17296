// Package cache is supctl's on-disk store of extracted supervisor binaries.
//
// # Layout
//
// A cache is one directory:
//
//	entries/sha256-<hex>/openshell-sandbox   the binary, mode 0555
//	entries/sha256-<hex>/entry.json          its record, a [manifest.Entry]
//	entries/sha256-<hex>/.used               mtime = last use (bumped at most hourly)
//	entries/sha256-<hex>/.verified           mtime = last full re-hash
//	entries/sha256-<hex>.lock                the entry's lock file, never deleted
//	entries/.tmp-sha256-<hex>-<n>/           an entry being filled
//	entries/.damaged-… .trash-…              entries set aside or collected, being deleted
//	refs/ indexes/ pins/                     records of a [manifest.Store]
//
// An entry is named by the digest of the platform image manifest the binary
// was extracted from ([Key]); a binary at another path in the image gets a
// suffix derived from that path. The entry is self-verifying: its record
// holds the binary's SHA-256 and size.
//
// # Filling an entry
//
// [Cache.Begin] follows the fill protocol of the Go module cache: look the
// entry up; take the entry's exclusive lock; look again (another process may
// have filled it meanwhile); set aside a damaged entry; remove temporary
// directories left by dead writers of this entry; write the binary into a new
// temporary directory beside the entries, sync it, make it read-only; write
// the record after it; rename the directory into place and sync the parent.
// A crash at any point leaves either no entry or a whole one, and a reader
// never sees a partial file. On failure only the temporary directory is
// removed.
//
// # Reuse
//
// [Cache.Lookup] checks an entry on every use by stat (regular file, size
// and permissions against the record) and re-hashes the whole binary when
// the last full check is older than [RehashInterval] or the binary was
// modified after it. Lookups take no lock and rewrite no shared file: last
// use is the mtime of a per-entry stamp, bumped at most hourly. A mismatch
// is never returned as usable: Lookup reports it with [ErrDamaged] and the
// next [Cache.Begin] sets the entry aside and fills it again.
//
// # In use, collection and verification
//
// [Cache.Hold] keeps an entry in use for a long-lived user, such as a gateway
// that bind-mounts the binary into its sandboxes: a shared lock on the
// entry's lock file. [Cache.GC] removes entries that no record protects
// ([Cache.Roots]: pins and the current digests of recorded refs), that are
// not in use and that a [GCPolicy] allows, and the leftovers of dead
// processes; it removes an entry only under its exclusive lock taken
// without waiting, so it skips whatever is busy. [Cache.Verify] re-hashes
// every entry under its shared lock and checks every record, and can set
// aside what is bad. [Cache.Entries] lists entries without checking them.
//
// # Concurrency
//
// Any number of goroutines and processes on one machine may share a cache:
// locks are flock(2) locks on the lock files, released by the kernel when a
// process dies, so a killed process never leaves a stale lock. Network file
// systems whose flock does not work are detected and refused with
// [ErrLocking]; use a local directory. A full or read-only file system
// gives an error naming the cache directory, and loses no committed entry:
// nothing is written in place.
//
// # Errors
//
// Errors are matched with errors.Is and errors.As:
//
//   - [ErrNotCached] (matching fs.ErrNotExist): no such entry, from
//     [Cache.Lookup] and [Cache.Hold].
//   - [ErrDamaged]: an entry that fails its check, from Lookup and Hold;
//     [Cache.Begin] sets such an entry aside and fills it again.
//   - [ErrInUse]: from Begin, an entry that must be filled again but is held
//     in use by another process; it also matches the reason it must be
//     filled again ([ErrDamaged]).
//   - [ErrLocking] (and the errno): a file system whose file locks do not
//     work, from every call that locks: Begin, Hold, [Fill.CommitAndHold],
//     [Cache.GC] and [Cache.Verify].
//   - [ErrUnsafeDir]: from [Open], a directory that other users could write
//     to or that another user owns.
//   - [*WriteError] (and the errno, such as syscall.ENOSPC or
//     syscall.EROFS): from Open, Begin and the [Fill]'s Write, Seal and
//     Commit, a failure to write in the cache directory.
//   - [manifest.ErrSchema]: an entry or record written by a newer supctl,
//     from Lookup, Hold and Begin (never replaced) and from [Cache.GC],
//     which then removes nothing.
//   - [*EntryError]: from [Cache.Entries], one per directory that is not a
//     sound entry, joined.
//   - the context's error, from the calls that wait for a lock, once ctx is
//     done.
package cache
