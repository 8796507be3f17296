package engine

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestRunnerProbeEnv: the engine a probe's outcome depends on reads
// differently once an engine listens at the endpoint, and again when it
// starts anew (a new socket), without contacting anything.
func TestRunnerProbeEnv(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	r := NewRunner(WithEnv(Env{DockerHost: "unix://" + sock}))
	down := r.ProbeEnv()
	listen := func() net.Listener {
		t.Helper()
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := listen()
	up := r.ProbeEnv()
	if up == down {
		t.Fatalf("an engine started, and the environment still reads %q", up)
	}
	if again := r.ProbeEnv(); again != up {
		t.Fatalf("nothing changed, and the environment went from %q to %q", up, again)
	}
	l.Close()
	os.Remove(sock)
	keep, err := os.CreateTemp(filepath.Dir(sock), "x") // the new socket gets another inode
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	defer listen().Close()
	if restarted := r.ProbeEnv(); restarted == up {
		t.Fatalf("the engine started anew, and the environment still reads %q", restarted)
	}
	if none := NewRunner(WithKind(None)).ProbeEnv(); none == up {
		t.Fatalf("no engine reads as an engine: %q", none)
	}
}
