//go:build unix

package regularfile

import "syscall"

// openNonblock keeps the open of a FIFO from waiting for a writer; on a
// regular file it changes nothing.
const openNonblock = syscall.O_NONBLOCK
