//go:build linux

package confine

// auditArch is the only system call ABI a confined run may use (32-bit
// compat calls carry AUDIT_ARCH_ARM); arm64 has no x32-like ABI.
const (
	auditArch = 0xc00000b7 // AUDIT_ARCH_AARCH64
	x32Bit    = 0
)

// archDeniedSyscalls are the denied calls only this architecture has.
var archDeniedSyscalls []uintptr

// The numbers of the system calls the filter names on arm64 (the
// standard library's syscall package lacks the newer ones; the test checks
// them against golang.org/x/sys/unix, which this package does not import
// so that it is initialised early).
const (
	sysKeyctl          = 219
	sysAddKey          = 217
	sysRequestKey      = 218
	sysPtrace          = 117
	sysProcessVMReadv  = 270
	sysProcessVMWritev = 271
	sysKcmp            = 272
	sysMount           = 40
	sysUmount2         = 39
	sysPivotRoot       = 41
	sysChroot          = 51
	sysUnshare         = 97
	sysSetns           = 268
	sysBPF             = 280
	sysPerfEventOpen   = 241
	sysUserfaultfd     = 282
	sysInitModule      = 105
	sysFinitModule     = 273
	sysDeleteModule    = 106
	sysKexecLoad       = 104
	sysKexecFileLoad   = 294
	sysOpenByHandleAt  = 265
	sysNameToHandleAt  = 264
	sysFanotifyInit    = 262
	sysQuotactl        = 60
	sysAcct            = 89
	sysSwapon          = 224
	sysSwapoff         = 225
	sysReboot          = 142
	sysSettimeofday    = 170
	sysClockSettime    = 112
	sysClockAdjtime    = 266
	sysSethostname     = 161
	sysSetdomainname   = 162
	sysClone           = 220
	sysIoctl           = 29
	sysPrctl           = 167
	sysPersonality     = 92
	sysSeccomp         = 277
)
