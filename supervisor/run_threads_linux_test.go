package supervisor

import (
	"context"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRunKeepsOthersChildren: a confined run in a program that has started
// long-lived children with a parent-death signal (a gateway's own helpers,
// a test's registry) leaves them running. The kernel sends that signal
// when the thread that started a child ends, and Go ends a thread whose
// goroutine exits locked to it: a run that locked a thread and let it end
// killed whatever an earlier goroutine had started from it.
func TestRunKeepsOthersChildren(t *testing.T) {
	needHost(t)
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), "openshell-sandbox")
	b := Binary{Path: path, Platform: linuxPlatform(runtimeArch())}

	// Children started from as many threads as the runtime will use, so
	// that a run lands on a thread that started one.
	const children = 16
	var mu sync.Mutex
	var cmds []*exec.Cmd
	var wg sync.WaitGroup
	for range children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cmd := exec.Command("sleep", "600")
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			if err := cmd.Start(); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(20 * time.Millisecond) // hold the thread, so the others take other threads
			mu.Lock()
			cmds = append(cmds, cmd)
			mu.Unlock()
		}()
	}
	wg.Wait()
	exited := make(chan *exec.Cmd, children)
	for _, cmd := range cmds {
		go func() {
			cmd.Wait()
			exited <- cmd
		}()
		t.Cleanup(func() { cmd.Process.Kill() })
	}

	for range 2 * children {
		if v, err := Run(0).Probe(context.Background(), b); err != nil || v.Version != testVersion {
			t.Fatalf("Probe = %+v, %v; want %s", v, err, testVersion)
		}
	}
	select {
	case cmd := <-exited:
		t.Fatalf("a child started from another goroutine was killed during the runs: %v (%v)", cmd.ProcessState, cmd.Process.Pid)
	case <-time.After(100 * time.Millisecond):
	}
}
