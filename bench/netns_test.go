//go:build linux

package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The WAN link's namespaces and addresses. The addresses are from
// 198.18.0.0/15, the range set aside for network benchmarks (RFC 2544);
// they exist only inside the two namespaces, which have no other link and
// no default route.
const (
	netnsPrefix = "supctl-bench-"
	regAddr     = "198.18.0.1"
	cliAddr     = "198.18.0.2"
	tunName     = "wan0"
)

// wanNet is two network namespaces made for the benchmark, the registry's
// side and the clients', each with a TUN device; the relay moves packets
// between the two devices with the delay, rate and loss of a WAN.
type wanNet struct {
	reg, cli string // namespace names
	relay    *relay
	netem    bool // whether the kernel has sch_netem (the relay is used either way)
	once     sync.Once
}

// newWANNet makes the namespaces and starts the relay. Close removes them;
// removeStaleNetns removes those of benchmark runs that died.
// wanNetForTest is a fresh WAN for a test of the harness itself, closed
// when the test ends; the test is skipped unless the report runs
// (SUPCTL_BENCH=1), as root.
func wanNetForTest(t *testing.T) *wanNet {
	t.Helper()
	if os.Getenv(envRun) != "1" || os.Geteuid() != 0 {
		t.Skipf("runs with %s=1, as root (it makes network namespaces)", envRun)
	}
	w, err := newWANNet()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func newWANNet() (w *wanNet, err error) {
	removeStaleNetns()
	pid := strconv.Itoa(os.Getpid())
	w = &wanNet{reg: netnsPrefix + "reg-" + pid, cli: netnsPrefix + "cli-" + pid}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	var tuns [2]*os.File
	for i, side := range []struct{ ns, local, peer string }{{w.reg, regAddr, cliAddr}, {w.cli, cliAddr, regAddr}} {
		if err := ipCmd("netns", "add", side.ns); err != nil {
			return w, err
		}
		if err := inNetns(side.ns, func() error { tuns[i], err = openTUN(tunName); return err }); err != nil {
			return w, err
		}
		for _, args := range [][]string{
			{"-n", side.ns, "link", "set", "lo", "up"},
			{"-n", side.ns, "addr", "add", side.local, "peer", side.peer, "dev", tunName},
			{"-n", side.ns, "link", "set", tunName, "up"},
		} {
			if err := ipCmd(args...); err != nil {
				return w, err
			}
		}
	}
	w.relay = startRelay(tuns[0], tuns[1])
	// The relay logs when the last byte reached a client, which netem
	// cannot; it is used even where the kernel has netem, which is
	// checked only to say so in the report.
	if ipCmdName("tc", "-n", w.reg, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms") == nil {
		w.netem = true
		ipCmdName("tc", "-n", w.reg, "qdisc", "del", "dev", "lo", "root")
	}
	return w, nil
}

// Listen listens on addr ("198.18.0.1:0") in the registry's namespace.
func (w *wanNet) Listen(addr string) (ln net.Listener, err error) {
	err = inNetns(w.reg, func() error { ln, err = net.Listen("tcp", addr); return err })
	return ln, err
}

// Close stops the relay and removes the namespaces.
func (w *wanNet) Close() {
	w.once.Do(func() {
		if w.relay != nil {
			w.relay.Close()
		}
		ipCmd("netns", "del", w.reg)
		ipCmd("netns", "del", w.cli)
	})
}

// removeStaleNetns removes the namespaces of benchmark processes that no
// longer run (killed before they could clean up).
func removeStaleNetns() {
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		name, ok := strings.CutPrefix(e.Name(), netnsPrefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(name[strings.LastIndexByte(name, '-')+1:])
		if err != nil || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		ipCmd("netns", "del", e.Name())
	}
}

func ipCmd(args ...string) error { return ipCmdName("ip", args...) }

func ipCmdName(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// inNetns runs f on a thread that has entered the network namespace ns;
// sockets and devices f makes belong to ns. The thread then returns to the
// namespace it came from and to the pool: Go terminates a thread whose
// goroutine ends locked to it, and a child process started with a
// parent-death signal (the registry, every contender) from that thread
// would get the signal (the kernel sends it when the parent thread, not
// the process, ends). Only if it cannot return is the thread discarded.
func inNetns(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer unix.Close(orig)
		fd, err := unix.Open(filepath.Join("/run/netns", ns), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("entering network namespace %s: %w", ns, err)
			return
		}
		err = f()
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		} // else the goroutine ends locked: Go discards the thread
		errc <- err
	}()
	return <-errc
}

// openTUN makes a TUN device (IP packets, no extra header) in the calling
// thread's network namespace; it disappears when the file is closed.
func openTUN(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("opening /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err == nil {
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		err = unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr)
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("making TUN device %s: %w", name, err)
	}
	return os.NewFile(uintptr(fd), name), nil // non-blocking: read through the poller
}
