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
//	entries/sha256-<hex>/.seal               stat of binary and record at commit
//	entries/sha256-<hex>.lock                the entry's lock file, never deleted (see Lock files)
//	entries/.tmp-sha256-<hex>-<n>/           an entry being filled
//	entries/.damaged-… .trash-…              entries set aside or collected, being deleted
//	refs/ indexes/ pins/                     records of a [manifest.Store]
//	links/<name>                             a stable path: symlink to ../entries/sha256-<hex>/openshell-sandbox
//	links/<name>.previous                    what links/<name> named before its last switch
//	links/<name>.lock                        the link's lock file, never deleted
//
// An entry is named by the digest of the platform image manifest the binary
// was extracted from ([Key]); a binary at another path in the image gets a
// suffix derived from that path. The entry is self-verifying: its record
// holds the binary's SHA-256 and size.
//
// # Ownership
//
// The binary supctl hands out becomes root in every sandbox, so whoever can
// write the cache decides what runs there. On a machine shared with other
// users the cache must therefore be writable by its user alone. [Open]
// refuses, with an [*UnsafeError] naming the path, its owner and mode and
// the fix, a cache directory, or any of entries/, refs/, indexes/ and pins/
// under it, that
//
//   - is owned by another user than the caller (root too is refused a
//     directory another user owns: that user could rename entries/ away and
//     put a consistent fake in its place),
//   - is writable by its group or by others, or
//   - is a symbolic link (it could be pointed elsewhere between a check and
//     a use), or not a directory.
//
// The directories are opened without following links and checked through
// the opened descriptor, and checked again before an entry is trusted;
// inside them an entry directory, binary or record file that is not the
// caller's is damaged, never handed out, and replaced by the next fill.
//
// Every directory above the cache directory, up to / and through the
// symbolic links met on the way (resolved as the kernel resolves them),
// must belong to root or to the caller and must not be writable by its
// group or by others unless it has the sticky bit; each such link must
// belong to root or to the caller. The threat is a rename: the owner of a
// parent directory, or anyone who may write to it, could move the cache
// directory away after a pull and put her own
// entries/<digest>/openshell-sandbox at the path a gateway was handed and
// keeps for later sandboxes. The Go module cache and sudo apply the same
// rule to the paths they trust. Below a directory with the sticky bit
// (/tmp), only a name's owner may rename it, and the rule makes the next
// directory root's or the caller's. With the whole chain checked no other
// user can rename or replace anything on the path, so a path handed out
// stays the entry's; [Open], [OpenExisting] and every lookup check it, and
// [Cache.Verify] reports a break as a directory problem.
// Directories the cache creates get mode 0755 whatever the umask.
//
// # Filling an entry
//
// [Cache.Begin] follows the fill protocol of the Go module cache: look the
// entry up; take the entry's exclusive lock; look again (another process may
// have filled it meanwhile); set aside a damaged entry; remove temporary
// directories left by dead writers of this entry; write the binary into a new
// temporary directory beside the entries, sync it, make it read-only; write
// the record after it and sync it and the temporary directory's names;
// rename the directory into place and sync the parent. The seal's bytes,
// not synced before the rename, cost at most a new extraction when lost.
// The binary's sync runs while the caller checks the sealed
// binary ([Fill.Seal]), its version run included.
// A crash at any point leaves either no entry or a whole one, and a reader
// never sees a partial file. On failure only the temporary directory is
// removed.
//
// # Reuse
//
// [Cache.Lookup] checks an entry on every use by stat: a regular file of
// the caller's, size and permissions against the record, and inode, size,
// mode, mtime and ctime against the seal written at commit. The kernel
// moves a file's ctime on every change and no call sets it back, so bytes
// written over the binary with its mtime put back still show: any change
// of the binary's stamp makes the use hash the whole binary again, as does
// a last full check older than [RehashInterval]. The record is believed
// only while it is the one committed (its own stamp and the SHA-256 of its
// bytes match the seal): an entry.json edited or replaced afterwards, with another sha256
// or version say, is not believed, and the entry is extracted again, so
// the sha256 and version handed out are those learned from the bytes at
// commit. A [Cache] remembers the record and seal it checked, with the
// device, inode, owner, mode, size, mtime and ctime of their files, and
// while one lstat of each shows them unchanged a later use believes them
// without reading them again; the binary, the directories and the chain
// above them are checked on every use all the same. The seal is a consistency check, not a signature: it defeats an
// edit of the record or of the binary alone, by hand or by a tool; a
// process running as the cache's owner could forge it too, which is why
// the ownership rule above keeps everyone else out.
//
// Where the kernel's ctime clock is coarse (a scheduler tick), a commit
// makes the entry visible only once the tick of the binary's last change
// is over, so that no later change can carry the sealed ctime.
//
// A copied or restored cache (its files have new inodes and ctimes), and
// an entry committed by a supctl that wrote no seal, are therefore
// extracted again on first use, and [Cache.GC] and [Cache.Verify] count
// them as damaged.
//
// A mismatch is never returned as usable: Lookup reports it with
// [ErrDamaged] and the next [Cache.Begin] sets the entry aside, under the
// entry's exclusive lock, and fills it again.
//
// # Pure reads
//
// Looking up ([Cache.Lookup]), listing ([Cache.Entries], [Cache.Roots]),
// a dry-run collection and a verification without repair take no
// exclusive lock, and create, move or rewrite no file: a damaged entry or
// a corrupt record is reported and left where it is. [OpenExisting]
// creates nothing either, not even entries/ or refs/ in a directory that
// is not a cache yet. Lock files, binaries, seals and records are opened
// without following a link and without blocking: a FIFO or device in the
// place of one is damaged, never waited on. The one change a
// use makes is to bump the mtime of the entry's last-use stamp (at most
// hourly) and, after a periodic full check, of its full-check stamp.
// Setting aside happens only under the entry's exclusive lock ([Cache.Begin],
// [Cache.GC]) or in a verification with repair.
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
// aside what is bad; it lists the leftovers of killed processes apart
// from its problems, as what kill -9 normally leaves rather than damage.
// [Cache.Entries] lists entries without checking them.
//
// # Lock files
//
// A lock file is created by the first use of its entry or link and never
// deleted, by a collection or anything else: a process may have it open,
// waiting for its lock, and would then hold a lock on a file no other
// process sees. One thing is replaced where an entry's lock file belongs:
// what is not a regular file there (a symbolic link, a directory, a FIFO,
// a device, put there by hand or by another program). Nobody can hold a
// lock on it: a lock file is opened without following a link, and what
// is locked is checked to be a regular file and let go at once otherwise.
// Until it is replaced the entry can be neither filled nor held
// ([ErrDamaged]), and a collection keeps it ([ReasonBadLock]). A
// verification with repair ([Cache.Verify]) replaces it, and only it:
// it moves it aside and deletes it, and the next use of the entry creates
// a regular lock file. A regular lock file that breaks the ownership rule
// stays in place: repair makes one of the caller's writable by the caller
// alone (mode 0644, which keeps any lock on it) and reports one of
// another user's, to be given back to the cache's user with chown.
//
// # Links
//
// A link is a stable path for a gateway's supervisor_bin that supctl
// keeps right: links/<name>, a symbolic link to the binary of one entry,
// switched by [Cache.SetLink] (which the resolver's ResolveLink calls only
// after a resolve under a compatibility range succeeded, so a failed or
// incompatible pull leaves the link as it was). The switch writes a new
// link under a temporary name, renames it over the old one and syncs the
// directory, under the link's own lock: the link always names a whole
// binary, the old one or the new one. Its target is relative
// (../entries/...), so it resolves to the same file wherever the cache is
// seen from, such as a Docker Desktop VM that shares this host's files
// under another prefix.
//
// OpenShell's Docker driver (crates/openshell-driver-docker/src/lib.rs in
// NVIDIA/OpenShell, resolve_supervisor_bin_source and build_binds)
// canonicalizes supervisor_bin once, when the gateway starts, checks that
// it is a Linux ELF file, and bind-mounts that resolved path read-only into
// every sandbox it creates. So the gateway uses the entry the link named
// at its start until it starts again, and each sandbox's container names
// its entry by its real path, which a later switch does not change: a
// sandbox keeps the binary it was created with, restarts included. (A
// container that bind-mounts the link itself gets what the link names
// each time the container starts: Docker resolves a symbolic link
// source when it mounts it.) Refresh the link before the gateway starts,
// as a service's pre-start step does.
//
// [Cache.GC] keeps the entries a link and its previous target name: a
// gateway started before the last switch still mounts the previous one.
// [Cache.Verify] and [Cache.CheckLink] report a link that is not a
// symbolic link of the caller's, that points outside the cache's entries,
// that dangles, or whose entry fails a full check, as problems of kind
// [ProblemLink] that match [ErrDamaged]; they never change a link.
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
// Errors are matched with errors.Is and errors.As; one whose advice a
// front end may word as its own (another cache directory, a repairing
// verification) carries a [remedy.Remedy] that ends its message
// ([remedy.Of]):
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
