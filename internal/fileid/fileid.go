// Package fileid tells whether a file is still the one that was read: the
// identity stat gives of a file (device, inode, owner, mode, size, mtime,
// ctime), which any change of the file, or its replacement by another,
// moves.
//
// The kernel moves a file's ctime on every change of its contents, mode or
// owner, and a file renamed into place has a new inode and ctime. Kernels
// without fine-grained timestamps take ctime from a clock that advances
// once a scheduler tick, so an identity is trusted only for a read that
// began once that tick had passed since the ctime ([Settled]): a change
// within the tick of the last one could keep the ctime it had.
//
// Identities are known on Linux only; elsewhere [Of] reports none and
// callers read the file every time.
package fileid

import "time"

// SettleTime bounds the granularity of a file system's ctime: 1 to 10 ms
// (a scheduler tick) where timestamps are coarse.
const SettleTime = 10 * time.Millisecond

// Settled reports whether a read of the file whose identity is id, begun
// at start, saw it after its ctime had settled, so that any later change
// moves its identity.
func Settled(id ID, start time.Time) bool {
	return !start.Before(time.Unix(0, id.ctimeNs).Add(SettleTime))
}
