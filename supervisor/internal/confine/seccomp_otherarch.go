//go:build linux && !amd64 && !arm64

package confine

// No filter is written for this architecture, so a confined run cannot be
// set up: installFilter fails and the prober is not applicable.
const (
	auditArch = 0
	x32Bit    = 0
)

var archDeniedSyscalls []uintptr
