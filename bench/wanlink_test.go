//go:build linux

package bench

import (
	"net"
	"os/exec"
	"testing"
	"time"
)

// TestWANLink checks the report's emulated WAN: a connection from the
// clients' namespace to a listener in the registry's takes one round trip
// of twice the one-way delay, and 1 MB crosses at about the rate. It runs
// with the report (SUPCTL_BENCH=1), as root.
func TestWANLink(t *testing.T) {
	w := wanNetForTest(t)
	w.relay.SetProfile(wanProfiles[0])
	ln, err := w.Listen(regAddr + ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { c.Write(make([]byte, 1<<20)); c.Close() }()
		}
	}()
	start := time.Now()
	out, err := exec.Command("ip", "netns", "exec", w.cli, "curl", "-s", "-o", "/dev/null", "-w", "%{time_connect} %{time_total}",
		"--http0.9", "http://"+ln.Addr().String()+"/").CombinedOutput()
	t.Logf("curl: connect, total (s): %s; wall %v; %v", out, time.Since(start), err)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond); err == nil {
		t.Error("the registry's namespace is reachable from the test's own")
	}
}
