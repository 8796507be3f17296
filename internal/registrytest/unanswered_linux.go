package registrytest

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// Unanswered returns a "127.0.0.1:PORT" where new connections are never
// established, as behind a firewall that drops packets: a listening socket
// with a backlog of zero that never accepts, its queue filled, so that the
// kernel drops every further SYN and a client's connect times out. It is
// closed by tb.Cleanup.
func Unanswered(tb testing.TB) string {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("registrytest: socket: %v", err)
	}
	tb.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("registrytest: bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		tb.Fatalf("registrytest: listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("registrytest: getsockname: %v", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the accept queue until a connect no longer completes.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			break
		}
		tb.Cleanup(func() { c.Close() })
		if i == 16 {
			tb.Fatalf("registrytest: %s still accepts connections after %d; cannot make it drop SYNs", addr, i)
		}
	}
	return addr
}
