package supervisor

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/openshell-contrib/supctl/supervisor/internal/confine"
)

// The total ceiling of a confined run as root: a control group of its own,
// made under this process's group, with at most runMemory bytes of memory
// (and no swap) and runPids processes and threads, for the whole tree of
// the run. Version 2 (one hierarchy at /sys/fs/cgroup) and version 1 (a
// memory and a pids hierarchy under /sys/fs/cgroup) are both supported.
const (
	runMemory = 256 << 20
	runPids   = confine.MaxProcs

	cgroupRoot   = "/sys/fs/cgroup"
	cgroupPrefix = "supctl-run-"
)

// runCgroup is the control group (one directory per hierarchy) of a run.
type runCgroup struct{ dirs []string }

// newRunCgroup makes the control group of a run, or returns an error
// saying why it cannot (not root, no writable hierarchy, controllers
// missing). A group that a killed supctl left is removed on the way.
func newRunCgroup() (*runCgroup, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("not root")
	}
	var r [6]byte
	rand.Read(r[:])
	name := cgroupPrefix + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(r[:])
	cg := &runCgroup{}
	var limits [][2]string
	if ctrl, err := os.ReadFile(filepath.Join(cgroupRoot, "cgroup.controllers")); err == nil {
		parent := filepath.Join(cgroupRoot, ownCgroup("")) // version 2
		sub, _ := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
		if !hasWords(string(ctrl), "memory", "pids") || !hasWords(string(sub), "memory", "pids") {
			return nil, errors.New("the memory and pids controllers are not enabled for child groups")
		}
		cg.dirs = []string{filepath.Join(parent, name)}
		limits = [][2]string{{"memory.max", strconv.Itoa(runMemory)}, {"memory.swap.max", "0"}, {"pids.max", strconv.Itoa(runPids)}}
	} else {
		for _, c := range []string{"memory", "pids"} {
			cg.dirs = append(cg.dirs, filepath.Join(cgroupRoot, c, ownCgroup(c), name))
		}
		limits = [][2]string{{"memory.limit_in_bytes", strconv.Itoa(runMemory)}, {"memory.memsw.limit_in_bytes", strconv.Itoa(runMemory)}, {"pids.max", strconv.Itoa(runPids)}}
	}
	for _, d := range cg.dirs {
		sweepCgroups(filepath.Dir(d))
		if err := os.Mkdir(d, 0o700); err != nil {
			cg.remove()
			return nil, err
		}
	}
	for _, l := range limits {
		err := os.ErrNotExist
		for _, d := range cg.dirs {
			if _, serr := os.Stat(filepath.Join(d, l[0])); serr == nil {
				err = os.WriteFile(filepath.Join(d, l[0]), []byte(l[1]), 0)
				break
			}
		}
		if err != nil && l[0] != "memory.memsw.limit_in_bytes" && l[0] != "memory.swap.max" { // no swap accounting: nothing to cap
			cg.remove()
			return nil, fmt.Errorf("setting %s: %w", l[0], err)
		}
	}
	return cg, nil
}

// add moves the process pid into the group.
func (cg *runCgroup) add(pid int) error {
	for _, d := range cg.dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return err
		}
	}
	return nil
}

// remove removes the group once its processes are gone: the kernel may
// take a moment after the run's first process was reaped to empty it.
func (cg *runCgroup) remove() {
	for _, d := range cg.dirs {
		for i := 0; i < 100; i++ {
			if err := os.Remove(d); err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// sweepCgroups removes the empty groups of runs whose supctl process is
// gone (killed before it could remove them). The kernel refuses to remove
// a group that still holds processes.
func sweepCgroups(parent string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), cgroupPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pid, err := strconv.Atoi(strings.Split(rest, "-")[0])
		if err == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH {
			os.Remove(filepath.Join(parent, e.Name()))
		}
	}
}

// ownCgroup returns this process's group in the hierarchy of controller
// c, or of version 2 when c is empty, from /proc/self/cgroup.
func ownCgroup(c string) string {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "/"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		parts := strings.SplitN(s.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if (c == "" && parts[0] == "0" && parts[1] == "") || (c != "" && hasWords(strings.ReplaceAll(parts[1], ",", " "), c)) {
			return filepath.Clean("/" + parts[2])
		}
	}
	return "/"
}

// hasWords reports whether the space-separated list s holds every word.
func hasWords(s string, words ...string) bool {
	have := strings.Fields(s)
	for _, w := range words {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}
