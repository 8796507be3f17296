//go:build unix

package supervisor

import "syscall"

// syscallNonblock keeps an open of a FIFO swapped in after a stat from
// blocking.
const syscallNonblock = syscall.O_NONBLOCK
