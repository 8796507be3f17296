//go:build linux

package bench

import (
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// measureWAN measures the cold pulls of the images of the given sizes
// across the emulated WAN, under each of wanProfiles: the registry (behind
// a counting proxy) in one network namespace, the contenders in the other;
// then, if b.token is set, those of the registry behind a token realm. It
// returns the cases, or none and a note saying why not.
func (b *bed) measureWAN(imgs []image, sizes []int64, rounds int) (cases, tokenCases []coldCase, note string) {
	b.t.Helper()
	if len(sizes) == 0 && b.token == nil {
		return nil, nil, "not measured (" + envWAN + "=0)"
	}
	if len(sizes) > 0 && !slices.ContainsFunc(imgs, func(im image) bool { return slices.Contains(sizes, im.size) }) {
		return nil, nil, "not measured: none of the sizes of " + envWAN + " is among those of " + envSizes
	}
	if os.Geteuid() != 0 {
		return nil, nil, "not measured: making network namespaces needs root"
	}
	w, err := newWANNet()
	if err != nil {
		return nil, nil, "not measured: " + err.Error()
	}
	defer cleanupOnSignal(w.Close)()
	defer w.Close()
	ln, err := w.Listen(regAddr + ":0")
	if err != nil {
		return nil, nil, "not measured: " + err.Error()
	}
	p := newCountProxy(ln, b.reg.Host())
	defer p.Close()
	loopback := b.proxy
	b.proxy, b.wan = p, w
	defer func() { b.proxy, b.wan = loopback, nil }()
	note = "this kernel has no `sch_netem`"
	if w.netem {
		note = "the kernel has `sch_netem`, but only the relay logs when the last byte arrived"
	}
	var tp, tokens *countProxy
	if tb := b.token; tb != nil {
		var stop func()
		if tp, stop, err = wanForward(w, tb.regPort, tb.reg.Host(), b.t.Logf); err != nil {
			return nil, nil, "not measured: " + err.Error()
		}
		defer stop()
		if tokens, stop, err = wanForward(w, tb.port, tb.svc, b.t.Logf); err != nil {
			return nil, nil, "not measured: " + err.Error()
		}
		defer stop()
	}
	for _, prof := range wanProfiles {
		w.relay.SetProfile(prof)
		for _, im := range imgs {
			if !slices.Contains(sizes, im.size) {
				continue
			}
			im := im.via(b.reg.Host(), p.Host())
			cases = append(cases, coldCase{img: im, profile: prof.name, results: b.measure(rounds, 1, im.layer, b.coldProcesses(im, w.cli, true)...)})
		}
		if tp != nil {
			tokenCases = append(tokenCases, b.withProxies(tp, tokens, func() coldCase {
				im := b.token.img
				return coldCase{img: im, profile: "token realm, " + prof.name,
					results: b.measure(rounds, 1, im.layer, tokenContenders(b.coldProcesses(im, w.cli, true))...)}
			}))
		}
	}
	if len(cases) == 0 {
		note = "not measured (" + envWAN + "=0)"
	}
	return cases, tokenCases, note
}

// cleanupOnSignal runs f and exits if the test binary is interrupted
// (SIGINT, SIGTERM) before the returned function is called: the network
// namespaces are removed, and the contenders, started with a parent-death
// signal, die with the test binary. A run killed outright leaves its
// namespaces, which the next run removes (removeStaleNetns).
func cleanupOnSignal(f func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			f()
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
