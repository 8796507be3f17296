//go:build linux

package bench

import (
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestInNetnsKeepsThread checks that the thread inNetns ran f on survives
// it, back in the process's network namespace: a thread that ends sends
// the parent-death signal to the children started from it (the registry,
// the contenders), which then die in the middle of the report. It runs
// with the report (SUPCTL_BENCH=1), as root.
func TestInNetnsKeepsThread(t *testing.T) {
	w := wanNetForTest(t)
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	var tid int
	var inside string
	if err := inNetns(w.cli, func() (err error) {
		tid = unix.Gettid()
		inside, err = os.Readlink("/proc/thread-self/ns/net")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if inside == self {
		t.Fatalf("f ran in the process's own network namespace %s", self)
	}
	task := "/proc/self/task/" + strconv.Itoa(tid)
	time.Sleep(200 * time.Millisecond) // a thread being discarded is gone by then
	ns, err := os.Readlink(task + "/ns/net")
	if err != nil {
		t.Fatalf("the thread of inNetns is gone: %v", err)
	}
	if ns != self {
		t.Errorf("the thread of inNetns stayed in %s, not the process's %s", ns, self)
	}
}
