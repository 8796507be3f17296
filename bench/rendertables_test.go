//go:build linux

package bench

import (
	"fmt"
	"strings"
)

// tokenTable renders the cold pulls from the registry behind a token
// realm.
func (r *report) tokenTable(p printer) {
	if len(r.token) == 0 {
		return
	}
	p("### Cold pull from a registry behind a token realm")
	p("")
	p("The %s %s image in a second registry whose challenges name a bearer-token realm (`http://localhost:PORT/token`, a token service of the benchmark's own that signs JWTs with a key made for the run; the registry checks them against its certificate). "+
		"The contenders that can authenticate, as separate processes, cold, as in the first table; on loopback, and across the WAN-like link, where the realm's connections cross the link too. "+
		"Token requests, requests, connections and round trips are counted by the counting proxies in front of the registry and of the token service, merged in the order they arrived (the last run's, but token requests: per run, over all runs).",
		r.token[0].img.label, r.token[0].img.content)
	p("")
	if r.tokenWANNote != "" {
		p("Across the WAN-like link: %s.", r.tokenWANNote)
		p("")
	}
	p("| case | contender | median | fastest–slowest | × `supctl pull` | CPU | token requests | requests | connections | round trips before the blob GET | time to blob GET |")
	p("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range r.token {
		base := find(c.results, nameSupctl).walls.median()
		for _, x := range c.results {
			med := x.walls.median()
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |", caseName(c), x.name, ms(med), x.walls.spread(),
				times(ratio(med, base)), ms(x.cpus.median()), tokenRuns(x), reqString(x), x.conns, tripsString(x), ms(x.toBlob.median()))
		}
	}
	p("")
}

// tripsString says what a contender did before its GET of the layer.
func tripsString(r *result) string {
	b := r.before
	if b.blobAt.IsZero() {
		return "no GET of the layer"
	}
	s := fmt.Sprintf("%d: %s, %s", b.roundTrips, count(b.conns, "connection"), count(b.requests, "request"))
	if b.notHTTP > 0 {
		s += ", " + count(b.notHTTP, "TLS attempt")
	}
	if r.reqsVar {
		s += " (requests varied; last run)"
	}
	return s
}

func libSummary(ls []libWarm) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s %.3f ms", l.name, float64(l.nsPerOp)/1e6))
	}
	return strings.Join(parts, "; ")
}

func concSummary(rs []round) string {
	var parts []string
	for _, rd := range rs {
		parts = append(parts, fmt.Sprintf("layer GETs %d, exit 0: %d/%d, distinct paths %d", rd.reqs.layerGets, rd.ok, concurrentProcs, rd.paths))
	}
	return strings.Join(parts, "; ")
}

// reqString summarises the requests of a contender's runs.
func reqString(r *result) string {
	n := r.reqs
	var parts []string
	add := func(k int, what string) {
		if k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, what))
		}
	}
	add(n.base, "`GET /v2/`")
	add(n.manifestHeads, "manifest HEAD")
	add(n.manifestGets, "manifest GET")
	add(n.blobGets, "blob GET")
	add(n.tokens, "token request")
	add(n.other, "other")
	s := fmt.Sprintf("%d", n.total)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if r.reqsVar {
		s += " (varied; last run shown)"
	}
	return s
}

func (r *report) coldTable(p printer, title string, cases []coldCase, ref string) {
	if len(cases) == 0 {
		return
	}
	p("### %s", title)
	p("")
	p("Fresh output directory (or cache) per run; `sync` before each run; order rotated each round; 1 warm-up round not counted; %d measured rounds. "+
		"Each process is started and measured by `peakrss` (wall time, CPU time, peak RSS of that process and the children it waited for: "+
		"for the pipelines `sh` and all its commands). CPU is user + system time, median of the runs; peak RSS the largest of the runs. "+
		"Requests, connections and round trips are counted by the benchmark's proxy in front of the registry (the last run's; a round trip per connection opened, request sent and TLS attempt before the GET of the binary's layer). "+
		"Time to blob GET is from the process's start to the arrival of that GET at the proxy.", r.rounds)
	p("")
	p("| case | contender | median | fastest–slowest | × %s | CPU | peak RSS | blobs fetched | requests | connections | round trips before the blob GET | time to blob GET |", refName(ref))
	p("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range cases {
		base := find(c.results, ref).walls.median()
		for _, x := range c.results {
			med := x.walls.median()
			p("| %s | %s | %s | %s | %s | %s | %s | %d | %s | %d | %s | %s |", caseName(c), x.name, ms(med), x.walls.spread(),
				times(ratio(med, base)), ms(x.cpus.median()), mib(x.rssKiB), x.reqs.blobGets, reqString(x), x.conns, tripsString(x), ms(x.toBlob.median()))
		}
	}
	p("")
}

func refName(ref string) string {
	if ref == nameBlob {
		return "blob alone"
	}
	return "limit"
}

func (r *report) wanTable(p printer) {
	if len(r.wan) == 0 {
		p("### Cold pull across a WAN-like link")
		p("")
		p("%s.", r.wanNote)
		p("")
		return
	}
	r.coldTable(p, "Cold pull across a WAN-like link", r.wan, nameBlob)
	p("The link: two network namespaces made by the benchmark, the registry's proxy in one and the contenders (started with `ip netns exec`) in the other, "+
		"joined by TUN devices and a relay of the benchmark's own (%s): each packet waits its turn at 100 Mbit/s, "+
		"arrives 20 ms later (40 ms RTT), and with loss is dropped with probability 1 %% each way; at most 1,000 packets queued per direction, as netem's default. "+
		"The relay and the proxy run in the test process, on the same cores as the contenders. "+
		"Last byte to exit, per contender (median of the runs): from the relay's delivery of the last TCP payload byte to the contender's connections to its exit as `peakrss` saw it.", r.wanNote)
	p("")
	p("| case | contender | last byte to exit | fastest–slowest |")
	p("|---|---|---|---|")
	for _, c := range r.wan {
		for _, x := range c.results {
			p("| %s | %s | %s | %s |", caseName(c), x.name, ms(x.tail.median()), x.tail.spread())
		}
	}
	p("")
}

func (r *report) inProcessTable(p printer) {
	p("### Cold pull of the %s %s binary in-process", r.imgs[0].label, r.imgs[0].content)
	p("")
	p("The library call and the limit in the test process, over the same HTTP transport (`http.DefaultTransport`, connections kept alive between runs); fresh cache per run. " +
		"CPU is the test process's user + system time during the call, plus its children's (the version probe), median of the runs.")
	p("")
	p("| contender | runs | median | fastest–slowest | × limit | CPU | binary MB/s at the median |")
	p("|---|---|---|---|---|---|---|")
	lim := find(r.in40, nameLimitIn).walls.median()
	for _, x := range r.in40 {
		med := x.walls.median()
		p("| %s | %d | %s | %s | %s | %s | %.0f |", x.name, len(x.walls), ms(med), x.walls.spread(), times(ratio(med, lim)),
			ms(x.cpus.median()), float64(r.imgs[0].size)/1e6/med.Seconds())
	}
	p("")
}

func (r *report) warmTables(p printer) {
	p("### Warm pulls and a stale tag (40 MiB image cached)")
	p("")
	p("Library, measured with `testing.Benchmark` (what `go test -bench BenchmarkWarmResolve ./bench/` runs, here against the real registry):")
	p("")
	p("| call | iterations | time/op | allocs/op | registry requests |")
	p("|---|---|---|---|---|")
	for _, l := range r.lib {
		p("| %s | %d | %.1f µs | %d | %d |", l.name, l.n, float64(l.nsPerOp)/1e3, l.allocs, l.requests)
	}
	p("")
	p("CLI, each a separate process on the same cache; order rotated each round; 2 warm-up rounds not counted:")
	p("")
	p("| command | runs | median | fastest–slowest | × `supctl version` | CPU | peak RSS | registry requests per run |")
	p("|---|---|---|---|---|---|---|---|")
	v := r.cli[0].walls.median()
	for _, x := range r.cli {
		p("| %s | %d | %s | %s | %s | %s | %s | %s |", x.name, len(x.walls), ms(x.walls.median()), x.walls.spread(),
			times(ratio(x.walls.median(), v)), ms(x.cpus.median()), mib(x.rssKiB), reqString(x))
	}
	p("")
}

func (r *report) concurrentTable(p printer) {
	p("### %d processes pulling one uncached ref into one cache", concurrentProcs)
	p("")
	p("All started at once (`supctl pull --json TAG`); wall time from the start to the last exit; fresh cache per round. " +
		"The extractor is the one process that extracted the binary, the waiters the others; CPU is user + system time.")
	p("")
	p("| round | wall | × one cold pull (median) | extractor: wall, CPU | waiters: CPU each (median) | CPU, all processes | exit 0 | distinct paths | extracted by | GETs of the binary's layer | blob GETs | manifest GETs |")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|")
	sup := find(r.firstCold(), nameSupctl)
	cold := sup.walls.median()
	for i, rd := range r.conc {
		p("| %d | %s | %s | %s, %s | %s | %s | %d/%d | %d | %d | %d | %d | %d |", i+1, ms(rd.wall), times(ratio(rd.wall, cold)),
			ms(rd.extractor), ms(rd.extractorCPU), ms(rd.waiterCPU.median()), ms(rd.cpu),
			rd.ok, concurrentProcs, rd.paths, rd.extracted, rd.reqs.layerGets, rd.reqs.blobGets, rd.reqs.manifestGets)
	}
	p("")
	p("For scale, the same number of processes started at once that extract nothing (%d rounds each, interleaved):", len(r.floors[0].walls))
	p("")
	p("| processes | median wall | fastest–slowest | × one cold pull (median) | CPU, all processes (median) |")
	p("|---|---|---|---|---|")
	p("| 1 × `supctl pull TAG`, cold (from the first table) | %s | %s | 1.00× | %s |", ms(cold), sup.walls.spread(), ms(sup.cpus.median()))
	for _, f := range r.floors {
		p("| %s | %s | %s | %s | %s |", f.name, ms(f.walls.median()), f.walls.spread(), times(ratio(f.walls.median(), cold)), ms(f.cpus.median()))
	}
	p("")
	if len(r.waiter) == 0 {
		return
	}
	p("A waiter's CPU taken apart: supctl processes one at a time on a cache holding the image, in rotated order, %d rounds after 2 not counted; "+
		"the last one finds the entry missing and its lock held by the benchmark, which puts the entry back and releases the lock %v after the start, as an extractor commits (a waiter without the others' contention); "+
		"CPU is the process's user + system time, median of the runs:", len(r.waiter[0].walls), waiterHold)
	p("")
	p("| process | median wall | CPU | CPU over the row above | registry requests per run |")
	p("|---|---|---|---|---|")
	for i, x := range r.waiter {
		over := "–"
		if i > 0 {
			over = ms(x.cpus.median() - r.waiter[i-1].cpus.median())
		}
		p("| %s | %s | %s | %s | %s |", x.name, ms(x.walls.median()), ms(x.cpus.median()), over, reqString(x))
	}
	p("")
}

// count formats n things.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
