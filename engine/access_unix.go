//go:build unix

package engine

import "golang.org/x/sys/unix"

// writable reports whether this process may connect to the socket at p.
func writable(p string) bool { return unix.Access(p, unix.W_OK) == nil }
