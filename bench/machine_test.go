//go:build linux

package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// machine describes where the report ran, without naming any path.
type machine struct {
	cpu      string // model name from /proc/cpuinfo
	cpus     int    // usable CPUs, as nproc counts them
	memory   string
	kernel   string
	goVer    string
	registry string // docker-registry --version
	fs       string // file system of the caches and the registry's storage
	commit   string // supctl's commit, and whether the tree had changes
}

func describeMachine(workDir string) machine {
	return machine{
		cpu:      cpuModel(),
		cpus:     runtime.NumCPU(),
		memory:   memTotal(),
		kernel:   readTrim("/proc/sys/kernel/osrelease"),
		goVer:    runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		registry: registryVersion(),
		fs:       fsType(workDir),
		commit:   commit(),
	}
}

func readTrim(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return "unknown"
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// load1 returns the 1 minute load average, -1 when unknown.
func load1() float64 {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) < 1 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

func registryVersion() string {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		bin = "/usr/bin/docker-registry"
	}
	out := commandOutput("", bin, "--version")
	// "docker-registry github.com/docker/distribution 2.8.2+ds1": drop the
	// program name, which may be a path.
	if f := strings.Fields(out); len(f) == 3 {
		return f[1] + " " + f[2]
	}
	return out
}

func fsType(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	switch uint64(st.Type) {
	case 0xEF53:
		return "ext4"
	case 0x01021994:
		return "tmpfs"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x794c7630:
		return "overlayfs"
	}
	return fmt.Sprintf("file system type %#x", st.Type)
}

// commit names supctl's commit, noting changes in the working tree outside
// bench/ and BENCHMARKS.md (other work in progress that was measured too).
func commit() string {
	c := commandOutput("..", "git", "rev-parse", "--short", "HEAD")
	if strings.HasPrefix(c, "unknown") {
		return c
	}
	st := commandOutput("..", "git", "status", "--porcelain", "--", ".", ":(exclude)bench", ":(exclude)BENCHMARKS.md")
	if st != "" {
		return c + " with uncommitted changes in " + strconv.Itoa(len(strings.Split(st, "\n"))) + " files"
	}
	return c
}
