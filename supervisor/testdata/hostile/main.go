// Command hostile stands in for a malicious supervisor in tests. Run with
// --version, it tries to escape its confinement and prints what it
// managed as a version line the test decodes:
//
//	openshell-sandbox 0.0.1-w<writes>.n<dials>.f<forks>.u<uid>.g<gid>.e<CapEff>.p<CapPrm>.b<CapBnd>.s<nnp>
//	    .o<open descriptors above 2>.k<read the secret key><planted a key>.G<supplementary groups>
//	    .c<chmod of its root>.K<keyctl errno>.U<unshare(CLONE_NEWUSER) errno>.T<ptrace errno>
//
// Its targets are set at build time with -X: main.marker (a word that names
// its processes), main.dirs (colon-separated directories to write into),
// main.addr (a TCP address to connect to), main.mode: "linger" (clear its
// parent-death signal, leave its session, start a child and sleep) or
// "hog" (start up to 40 children that take 64 MiB each, then report).
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

var marker, dirs, addr, mode string

func main() {
	fds := openFDs() // first, before the runtime opens its own
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "child-hog-") {
		b := make([]byte, 64<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		time.Sleep(time.Hour)
		return
	}
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "child-") {
		time.Sleep(time.Hour)
		return
	}
	switch mode {
	case "linger":
		syscall.Syscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, 0, 0)
		syscall.Setsid()
		fork("child-" + marker)
		fmt.Println("openshell-sandbox 0.0.1")
		time.Sleep(time.Hour)
		return
	case "hog":
		for i := 0; i < 40; i++ {
			fork("child-hog-" + marker)
		}
		time.Sleep(3 * time.Second)
		fmt.Println("openshell-sandbox 0.0.1")
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
		attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: true}} // try to leave the group
		if _, err := syscall.ForkExec(exe, []string{exe, "child-" + marker}, attr); err == nil {
			forks++
			break
		}
	}
	eff, prm := capget()
	nnp, _, _ := syscall.Syscall(syscall.SYS_PRCTL, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0)
	read, planted := keys()
	groups, _ := syscall.Getgroups()
	chmod := 0 // whether it may change its root's mode (changed to what it is)
	var root syscall.Stat_t
	if syscall.Stat("/", &root) == nil && syscall.Chmod("/", root.Mode&0o7777) == nil {
		chmod = 1
	}
	_, _, keyctl := syscall.Syscall(syscall.SYS_KEYCTL, 0 /* KEYCTL_GET_KEYRING_ID */, ^uintptr(2) /* KEY_SPEC_SESSION_KEYRING */, 0)
	_, _, unshare := syscall.Syscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWUSER, 0, 0)
	_, _, ptrace := syscall.Syscall6(syscall.SYS_PTRACE, syscall.PTRACE_PEEKDATA, 1<<22, 0, 0, 0, 0)
	fmt.Printf("openshell-sandbox 0.0.1-w%d.n%d.f%d.u%d.g%d.e%x.p%x.b%x.s%d.o%d.k%d%d.G%d.c%d.K%d.U%d.T%d\n",
		writes, dials, forks, os.Getuid(), os.Getgid(), eff, prm, bounding(), nnp,
		fds, read, planted, len(groups), chmod, int(keyctl), int(unshare), int(ptrace))
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

// fork starts this program again with arg, and reports whether it could.
func fork(arg string) bool {
	self, _ := filepath.Abs(os.Args[0])
	// ForkExec, not os/exec: there may be no /dev/null to open.
	// Its own standard descriptors: without them, the Go runtime opens
	// /dev/null, which is not there, and exits.
	attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: true}}
	_, err := syscall.ForkExec(self, []string{self, arg}, attr)
	return err == nil
}

// openFDs counts the descriptors above 2 it was given.
func openFDs() int {
	n := 0
	for fd := 3; fd < 1024; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil {
			n++
		}
	}
	return n
}

// keys reports whether it could read the key "secret-<marker>" from the
// session keyring it was given, and add a key "planted-<marker>" to it.
func keys() (read, planted int) {
	typ, _ := syscall.BytePtrFromString("user")
	desc, _ := syscall.BytePtrFromString("secret-" + marker)
	id, _, errno := syscall.Syscall6(syscall.SYS_KEYCTL, 10 /* KEYCTL_SEARCH */, ^uintptr(2), uintptr(unsafe.Pointer(typ)), uintptr(unsafe.Pointer(desc)), 0, 0)
	if errno == 0 {
		var buf [256]byte
		if n, _, errno := syscall.Syscall6(syscall.SYS_KEYCTL, 11 /* KEYCTL_READ */, id, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0); errno == 0 && n > 0 {
			read = 1
		}
	}
	pdesc, _ := syscall.BytePtrFromString("planted-" + marker)
	payload := []byte("pwned")
	if _, _, errno := syscall.Syscall6(syscall.SYS_ADD_KEY, uintptr(unsafe.Pointer(typ)), uintptr(unsafe.Pointer(pdesc)), uintptr(unsafe.Pointer(&payload[0])), uintptr(len(payload)), ^uintptr(2), 0); errno == 0 {
		planted = 1
	}
	return read, planted
}
