package engine

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// killedRunEnv, in a test process's environment, makes
// TestHelperKilledRun run a probe that never ends, labelled with its value.
const killedRunEnv = "SUPCTL_TEST_KILLED_RUN"

// TestHelperKilledRun is the process TestKilledProbeLeavesNoContainer
// kills: it runs a binary that sleeps forever in the engine.
func TestHelperKilledRun(t *testing.T) {
	tag := os.Getenv(killedRunEnv)
	if tag == "" {
		t.Skip("a helper process of TestKilledProbeLeavesNoContainer")
	}
	e := openEngine(t)
	_, err := e.Run(context.Background(), RunSpec{Binary: os.Getenv(killedRunEnv + "_BIN"), Platform: hostPlatform(), Args: []string{"sleep"},
		Labels: map[string]string{"supctl-test": tag}, Timeout: 10 * time.Minute})
	t.Fatalf("the run ended (%v); it should have been killed", err)
}

// TestKilledProbeLeavesNoContainer: a process killed with SIGKILL while
// its probe container runs a binary that sleeps forever leaves no
// container behind: it is gone within the removal bound, without another
// run of supctl to sweep it.
func TestKilledProbeLeavesNoContainer(t *testing.T) {
	e := openEngine(t)
	tag := testLabel(t)["supctl-test"]
	t.Cleanup(func() {
		for _, id := range containersLabelled(t, e, "supctl-test", tag) {
			e.cli.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		}
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledRun$", "-test.count=1")
	cmd.Env = append(os.Environ(), killedRunEnv+"="+tag, killedRunEnv+"_BIN="+probeBinary(t, runtime.GOARCH, "1.0.0"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	running := func() bool {
		for _, id := range containersLabelled(t, e, "supctl-test", tag) {
			insp, err := e.cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
			if err == nil && insp.Container.State != nil && insp.Container.State.Running {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(time.Minute); !running(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the probe container never ran")
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline := time.Now().Add(removeTimeout)
	for len(containersLabelled(t, e, "supctl-test", tag)) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the probe container outlived the killed process by %v", removeTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
