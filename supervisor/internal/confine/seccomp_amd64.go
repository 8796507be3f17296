//go:build linux

package confine

// auditArch is the only system call ABI a confined run may use; x32Bit
// marks x32 system call numbers, which share the architecture value.
const (
	auditArch = 0xc000003e // AUDIT_ARCH_X86_64
	x32Bit    = 0x40000000
)

// archDeniedSyscalls are the denied calls only this architecture has.
var archDeniedSyscalls = []uintptr{sysIopl, sysIoperm, sysUselib, sysCreateModule}

// The numbers of the system calls the filter names on amd64 (the
// standard library's syscall package lacks the newer ones; the test checks
// them against golang.org/x/sys/unix, which this package does not import
// so that it is initialised early).
const (
	sysKeyctl          = 250
	sysAddKey          = 248
	sysRequestKey      = 249
	sysPtrace          = 101
	sysProcessVMReadv  = 310
	sysProcessVMWritev = 311
	sysKcmp            = 312
	sysMount           = 165
	sysUmount2         = 166
	sysPivotRoot       = 155
	sysChroot          = 161
	sysUnshare         = 272
	sysSetns           = 308
	sysBPF             = 321
	sysPerfEventOpen   = 298
	sysUserfaultfd     = 323
	sysInitModule      = 175
	sysFinitModule     = 313
	sysDeleteModule    = 176
	sysKexecLoad       = 246
	sysKexecFileLoad   = 320
	sysOpenByHandleAt  = 304
	sysNameToHandleAt  = 303
	sysFanotifyInit    = 300
	sysQuotactl        = 179
	sysAcct            = 163
	sysSwapon          = 167
	sysSwapoff         = 168
	sysReboot          = 169
	sysSettimeofday    = 164
	sysClockSettime    = 227
	sysClockAdjtime    = 305
	sysSethostname     = 170
	sysSetdomainname   = 171
	sysClone           = 56
	sysIoctl           = 16
	sysPrctl           = 157
	sysPersonality     = 135
	sysSeccomp         = 317
	sysIopl            = 172
	sysIoperm          = 173
	sysUselib          = 134
	sysCreateModule    = 174
)
