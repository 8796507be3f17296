//go:build !unix

package supervisor

const syscallNonblock = 0
