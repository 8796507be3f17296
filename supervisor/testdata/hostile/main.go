// Command hostile stands in for a malicious supervisor in tests. Run with
// --version, it tries to escape its confinement and prints what it
// managed as a version line the test decodes:
//
//	openshell-sandbox 0.0.1-w<writes>.n<dials>.f<forks>.u<uid>.g<gid>.e<CapEff>.p<CapPrm>.b<CapBnd>.s<nnp>
//
// Its targets are set at build time with -X: main.marker (a word that names
// its processes), main.dirs (colon-separated directories to write into),
// main.addr (a TCP address to connect to).
package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

var marker, dirs, addr string

func main() {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "child-") {
		time.Sleep(time.Hour)
		return
	}
	writes := 0
	for _, d := range append(strings.Split(dirs, ":"), "/", "/tmp", filepath.Dir(os.Args[0])) {
		if d != "" && os.WriteFile(filepath.Join(d, "pwned-"+marker), []byte("pwned"), 0o644) == nil {
			writes++
		}
		if d != "" && os.Mkdir(filepath.Join(d, "pwned-dir-"+marker), 0o777) == nil {
			writes++
		}
	}
	if f, err := os.OpenFile(os.Args[0], os.O_WRONLY, 0); err == nil { // itself
		f.Close()
		writes++
	}
	dials := 0
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		c.Write([]byte("pwned"))
		c.Close()
		dials++
	}
	forks := 0
	self, _ := filepath.Abs(os.Args[0])
	for _, exe := range []string{self, "/proc/self/exe"} {
		// ForkExec, not os/exec: there may be no /dev/null to open.
		attr := &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Setsid: true}} // try to leave the group
		if _, err := syscall.ForkExec(exe, []string{exe, "child-" + marker}, attr); err == nil {
			forks++
			break
		}
	}
	eff, prm := capget()
	nnp, _, _ := syscall.Syscall(syscall.SYS_PRCTL, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0)
	fmt.Printf("openshell-sandbox 0.0.1-w%d.n%d.f%d.u%d.g%d.e%x.p%x.b%x.s%d\n",
		writes, dials, forks, os.Getuid(), os.Getgid(), eff, prm, bounding(), nnp)
	time.Sleep(200 * time.Millisecond) // give the child time to settle in
}

// capget returns the effective and permitted capability sets.
func capget() (eff, prm uint64) {
	hdr := struct {
		version uint32
		pid     int32
	}{0x20080522, 0} // _LINUX_CAPABILITY_VERSION_3
	var data [2]struct{ effective, permitted, inheritable uint32 }
	syscall.Syscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	return uint64(data[1].effective)<<32 | uint64(data[0].effective), uint64(data[1].permitted)<<32 | uint64(data[0].permitted)
}

// bounding returns the capability bounding set, read with PR_CAPBSET_READ
// (there may be no /proc to read it from).
func bounding() uint64 {
	var set uint64
	for c := 0; c < 64; c++ {
		r, _, errno := syscall.Syscall(syscall.SYS_PRCTL, 23 /* PR_CAPBSET_READ */, uintptr(c), 0)
		if errno == 0 && r == 1 {
			set |= 1 << c
		}
	}
	return set
}
