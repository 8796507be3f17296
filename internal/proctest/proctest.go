// Package proctest runs processes at once, for the tests of what supctl
// promises across processes: N processes pulling one uncached reference
// into one cache all get the same binary, and it is downloaded and
// extracted once.
package proctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// An Outcome is how one process ended.
type Outcome struct {
	Cmd            *exec.Cmd
	Stdout, Stderr bytes.Buffer
	Err            error // what Run returned
	Took           time.Duration
}

// Code is the process's exit code, -1 if it did not exit by itself.
func (o *Outcome) Code() int {
	if o.Cmd.ProcessState == nil {
		return -1
	}
	return o.Cmd.ProcessState.ExitCode()
}

func (o *Outcome) String() string {
	return fmt.Sprintf("%s: %v after %v\nstdout: %s\nstderr: %s", strings.Join(o.Cmd.Args, " "), o.Err,
		o.Took.Round(time.Millisecond), o.Stdout.Bytes(), o.Stderr.Bytes())
}

// Together makes n commands with cmd, starts them all at once once all are
// made, and waits for every one. It sets each command's Stdout and Stderr
// to its outcome's buffers.
func Together(n int, cmd func(i int) *exec.Cmd) []*Outcome {
	outs := make([]*Outcome, n)
	for i := range outs {
		o := &Outcome{Cmd: cmd(i)}
		o.Cmd.Stdout, o.Cmd.Stderr = &o.Stdout, &o.Stderr
		outs[i] = o
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, o := range outs {
		wg.Go(func() {
			<-start
			t := time.Now()
			o.Err = o.Cmd.Run()
			o.Took = time.Since(t)
		})
	}
	close(start)
	wg.Wait()
	return outs
}

// A Pull is the part of what "supctl --json pull" prints that OnePull
// checks.
type Pull struct {
	Path         string `json:"path"`
	Extracted    bool   `json:"extracted"`
	ResolvedFrom string `json:"resolved_from"`
}

// OnePull fails t unless the processes of outs, all running "supctl
// --json pull" of one uncached reference into one cache, exited 0 and
// printed the same path, exactly one says it extracted the binary, and
// layerGets, the GETs of the binary's layer counted meanwhile, is 1. It
// returns the path.
func OnePull(t testing.TB, outs []*Outcome, layerGets int) string {
	t.Helper()
	path, extracted := "", 0
	for i, o := range outs {
		var p Pull
		if o.Err != nil {
			t.Fatalf("process %d of %d: %v", i, len(outs), o)
		}
		if err := json.Unmarshal(o.Stdout.Bytes(), &p); err != nil || p.Path == "" {
			t.Fatalf("process %d of %d printed no pull result (%v): %v", i, len(outs), err, o)
		}
		if path == "" {
			path = p.Path
		}
		if p.Path != path {
			t.Fatalf("process %d of %d printed %s, another %s", i, len(outs), p.Path, path)
		}
		if p.Extracted {
			extracted++
		}
		t.Logf("process %d: %v, extracted %v, resolved_from %s", i, o.Took.Round(time.Millisecond), p.Extracted, p.ResolvedFrom)
	}
	if extracted != 1 || layerGets != 1 {
		t.Errorf("%d processes extracted the binary %d times and downloaded its layer %d times, want once each", len(outs), extracted, layerGets)
	}
	return path
}
