// Command probe is a test binary run inside engine containers. Its first
// argument picks what it does:
//
//	--version  print "openshell-sandbox <version>" (version from -ldflags)
//	spew N     print N bytes of 'x' on stdout and on stderr
//	sleep      sleep until killed
//	self       print its uid, gid, effective capabilities and network interfaces
//	fork TAG   start itself as "linger TAG" (which sleeps), print its pid, exit
//	limits     print its limits of open files and processes (soft/hard)
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

var version = "0.0.0"

func main() {
	if len(os.Args) < 2 {
		os.Exit(2)
	}
	switch os.Args[1] {
	case "--version":
		fmt.Println("openshell-sandbox " + version)
	case "spew":
		n, _ := strconv.Atoi(os.Args[2])
		b := []byte(strings.Repeat("x", n))
		os.Stdout.Write(b)
		os.Stderr.Write(b)
	case "fork":
		cmd := exec.Command(os.Args[0], "linger", os.Args[2])
		if err := cmd.Start(); err != nil {
			fmt.Println("fork failed:", err)
			os.Exit(1)
		}
		fmt.Println("forked", cmd.Process.Pid)
	case "linger":
		time.Sleep(time.Hour)
	case "sleep":
		fmt.Println("sleeping")
		time.Sleep(time.Hour)
	case "limits":
		b, err := os.ReadFile("/proc/self/limits")
		if err != nil {
			fmt.Println("limits:", err)
			os.Exit(1)
		}
		var out []string
		for _, line := range strings.Split(string(b), "\n") {
			for name, key := range map[string]string{"Max open files": "nofile", "Max processes": "nproc"} {
				if f := strings.Fields(strings.TrimPrefix(line, name)); strings.HasPrefix(line, name) && len(f) >= 2 {
					out = append(out, key+"="+f[0]+"/"+f[1])
				}
			}
		}
		sort.Strings(out)
		fmt.Println(strings.Join(out, " "))
	case "self":
		caps := ""
		if f, err := os.Open("/proc/self/status"); err == nil {
			s := bufio.NewScanner(f)
			for s.Scan() {
				if v, ok := strings.CutPrefix(s.Text(), "CapEff:"); ok {
					caps = strings.TrimSpace(v)
				}
			}
			f.Close()
		}
		var names []string
		ifs, _ := net.Interfaces()
		for _, i := range ifs {
			names = append(names, i.Name)
		}
		werr := os.WriteFile("/probe-written", []byte("x"), 0o644)
		fmt.Printf("uid=%d gid=%d capeff=%s ifaces=%s rootwrite=%v\n", os.Getuid(), os.Getgid(), caps, strings.Join(names, ","), werr == nil)
	default:
		os.Exit(3)
	}
}
