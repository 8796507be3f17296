//go:build !linux

package bench

// syncFS is a no-op where the benchmarks do not sync the file systems.
func syncFS() {}
