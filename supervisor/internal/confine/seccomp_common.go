//go:build linux

package confine

// The numbers of the system calls the filter names that were added in
// Linux 5.1 and later: from 424 on, every architecture numbers new calls
// alike (the test checks them against golang.org/x/sys/unix).
const (
	sysPidfdGetfd      = 438
	sysProcessMadvise  = 440
	sysMoveMount       = 429
	sysOpenTree        = 428
	sysOpenTreeAttr    = 467
	sysMountSetattr    = 442
	sysFsopen          = 430
	sysFsconfig        = 431
	sysFsmount         = 432
	sysFspick          = 433
	sysIOURingSetup    = 425
	sysIOURingEnter    = 426
	sysIOURingRegister = 427
	sysClone3          = 435
)
