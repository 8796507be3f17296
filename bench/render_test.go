//go:build linux

package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Targets of issue 17.
const (
	rssTarget     = 32 << 10 // KiB, peak RSS of a cold pull
	limitTarget   = 1.0      // cold pull on loopback, × the limit
	limitStretch  = 0.8
	wanTarget     = 1.04 // cold pull across the WAN, × fetching the blob alone
	tripsTarget   = 3    // round trips before the blob GET
	tailTarget    = 30 * time.Millisecond
	concTarget    = 1.2 // 16 processes, × one cold pull
	libWarmTarget = 200 * time.Microsecond
)

// report is what TestReport measured.
type report struct {
	started                time.Time
	took                   time.Duration
	rounds                 int
	loadStart, loadMeasure string
	loadEnd                string
	loadWaited             time.Duration
	machine                machine
	tools                  string
	imgs                   []image
	on                     map[string]bool // the scenarios measured (SUPCTL_BENCH_ONLY)
	cold, wan              []coldCase
	token                  []coldCase // a registry behind a token realm: loopback, then each WAN profile
	tokenWANNote           string     // why the token realm was not measured across the WAN, if it was not
	wanNote                string
	in40, cli              []*result
	lib                    []libWarm
	conc                   []round
	waiter                 []*result // a waiter's CPU taken apart (waiterCost)
	floors                 []floor
}

func find(rs []*result, name string) *result {
	i := slices.IndexFunc(rs, func(r *result) bool { return r.name == name })
	if i < 0 {
		return &result{name: name}
	}
	return rs[i]
}

// ratioOf is the ratio of the medians of two contenders.
func ratioOf(rs []*result, a, b string) float64 {
	return ratio(find(rs, a).walls.median(), find(rs, b).walls.median())
}

// markdown renders the report.
func (r *report) markdown() string {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	m := r.machine
	p("Run of %s UTC, %s of measurements; supctl at commit %s.", r.started.Format("2006-01-02 15:04"), r.took.Round(time.Second), m.commit)
	p("")
	p("- Machine: %s, %d CPUs (nproc), %s memory, Linux %s; caches, scratch and registry storage on %s.", m.cpu, m.cpus, m.memory, m.kernel, m.fs)
	p("- Go %s; registry: Debian's docker-registry (%s) on 127.0.0.1, plain HTTP, behind the benchmark's counting proxy; %s.", m.goVer, m.registry, r.tools)
	p("- Load average (1, 5, 15 min): %s before setup, %s when measuring began%s, %s at the end.", r.loadStart, r.loadMeasure, waited(r.loadWaited), r.loadEnd)
	for _, im := range r.imgs {
		other := ""
		if im.content == contentRealistic {
			other = "; the other platform's binary unpadded"
		}
		p("- Image %s %s: an index of linux/amd64 and linux/arm64; %d gzip layers, the binary (%d bytes, %s padding) alone in the top layer (%.1f MiB compressed: %.2f of the binary)%s.",
			im.label, im.content, im.layers, im.size, im.content, float64(im.layerSize)/(1<<20), im.ratio(), other)
	}
	p("")
	r.targets(p)
	r.coldTable(p, "Cold pull on loopback, separate processes", r.cold, nameLimit)
	r.wanTable(p)
	r.tokenTable(p)
	if len(r.in40) > 0 {
		r.inProcessTable(p)
	}
	if len(r.cli) > 0 {
		r.warmTables(p)
	}
	if len(r.conc) > 0 {
		r.concurrentTable(p)
	}
	return w.String()
}

func waited(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " (after waiting " + d.String() + " for the load to drop)"
}

type printer func(format string, args ...any)

// caseName names a case in the tables.
func caseName(c coldCase) string {
	s := c.img.label + " " + c.img.content
	if c.profile != "" {
		s += ", " + c.profile
	}
	return s
}

// firstCold is the loopback case of the first image (40 MiB realistic by
// default), the reference of the warm and concurrent tables.
func (r *report) firstCold() []*result {
	if len(r.cold) == 0 {
		return nil
	}
	return r.cold[0].results
}

func (r *report) targets(p printer) {
	p("### Targets (issue 17)")
	p("")
	p("| target | measured | |")
	p("|---|---|---|")
	for _, c := range r.cold {
		x := ratioOf(c.results, nameSupctl, nameLimit)
		sup := find(c.results, nameSupctl)
		p("| cold pull on loopback, %s: ≤ %.1f× the limit (stretch %.1f×) | %s (median %s vs %s) | %s%s |", caseName(c), limitTarget, limitStretch,
			times(x), ms(sup.walls.median()), ms(find(c.results, nameLimit).walls.median()), verdict(x <= limitTarget), stretch(x))
		p("| peak RSS, %s: under 32 MiB | %s (largest of %d runs) | %s |", caseName(c), mib(sup.rssKiB), len(sup.walls), verdict(sup.rssKiB > 0 && sup.rssKiB < rssTarget))
	}
	if len(r.wan) == 0 && (r.on == nil || r.on[scWAN]) {
		p("| WAN-like link: ≤ %.2f× the blob alone, ≤ %d round trips before the blob GET, ≤ %s from the last byte to exit | %s | **not measured** |", wanTarget, tripsTarget, ms(tailTarget), r.wanNote)
	}
	for _, c := range r.wan {
		sup := find(c.results, nameSupctl)
		x := ratioOf(c.results, nameSupctl, nameBlob)
		p("| WAN %s: ≤ %.2f× fetching the blob alone | %s (median %s vs %s) | %s |", caseName(c), wanTarget, times(x), ms(sup.walls.median()),
			ms(find(c.results, nameBlob).walls.median()), verdict(x <= wanTarget))
		p("| WAN %s: ≤ %d round trips before the blob GET | %s | %s |", caseName(c), tripsTarget, tripsString(sup), verdict(sup.before.roundTrips <= tripsTarget && !sup.reqsVar))
		p("| WAN %s: ≤ %s from the last byte to exit | %s (median of %d) | %s |", caseName(c), ms(tailTarget), ms(sup.tail.median()), len(sup.tail),
			verdict(len(sup.tail) > 0 && sup.tail.median() <= tailTarget))
	}
	r.tokenTargets(p)
	r.concurrentTargets(p)
	if len(r.cli) < 4 || len(r.lib) < 2 {
		p("")
		return
	}
	warmTag, warmDigest := r.cli[1], r.cli[2]
	libReqs := 0
	for _, l := range r.lib {
		libReqs += l.requests
	}
	zero := warmTag.reqs.total == 0 && warmDigest.reqs.total == 0 && !warmTag.reqsVar && !warmDigest.reqsVar && libReqs == 0
	p("| warm pull (fresh tag, cached digest): 0 requests | CLI: %d and %d per pull over %d runs each; library: %d over %d+%d calls | %s |",
		warmTag.reqs.total, warmDigest.reqs.total, len(warmTag.walls), libReqs, r.lib[0].n, r.lib[1].n, verdict(zero))
	slowest := slices.MaxFunc(r.lib, func(a, b libWarm) int { return int(a.nsPerOp - b.nsPerOp) })
	stale := r.cli[3].reqs
	staleOK := stale.manifestHeads == 1 && stale.manifestGets == 0 && stale.blobGets == 0 && stale.other == 0 && stale.base <= 1 && !r.cli[3].reqsVar
	p("| stale floating tag, unchanged: one request for the manifest | %d HEAD of the manifest, %d manifest GETs, %d blob GETs, plus %d `GET /v2/`; same in all %d runs: %v | %s |",
		stale.manifestHeads, stale.manifestGets, stale.blobGets, stale.base, len(r.cli[3].walls), !r.cli[3].reqsVar, verdict(staleOK))
	p("| warm library call < 0.2 ms | %s | %s |", libSummary(r.lib), verdict(time.Duration(slowest.nsPerOp) < libWarmTarget))
	version := r.cli[0]
	rt, rd := ratio(warmTag.walls.median(), version.walls.median()), ratio(warmDigest.walls.median(), version.walls.median())
	p("| warm CLI pull ≈ process start (read as: ≤ 1.2× `supctl version`) | tag %s, digest %s of `supctl version` (%s) | %s |",
		times(rt), times(rd), ms(version.walls.median()), verdict(rt <= 1.2 && rd <= 1.2))
	p("")
}

// concurrentTargets renders the targets of the 16 processes.
func (r *report) concurrentTargets(p printer) {
	if len(r.conc) == 0 {
		return
	}
	once := true
	var walls samples
	for _, rd := range r.conc {
		once = once && rd.reqs.layerGets == 1 && rd.ok == concurrentProcs && rd.paths == 1
		walls = append(walls, rd.wall)
	}
	sup := find(r.firstCold(), nameSupctl)
	p("| %d processes, one uncached ref: one download, all succeed, same path | %s | %s |", concurrentProcs, concSummary(r.conc), verdict(once))
	cr := ratio(walls.median(), sup.walls.median())
	p("| %d processes: wall ≤ %.1f× one cold pull | %s (median of %d rounds %s vs one cold `supctl pull` %s) | %s |",
		concurrentProcs, concTarget, times(cr), len(walls), ms(walls.median()), ms(sup.walls.median()), verdict(cr <= concTarget))
}

// tokenTargets renders the targets of the token realm: supctl makes one
// token request per operation, in every run.
func (r *report) tokenTargets(p printer) {
	for _, c := range r.token {
		sup := find(c.results, nameSupctl)
		one := len(sup.tokens) > 0 && !slices.ContainsFunc(sup.tokens, func(n int) bool { return n != 1 })
		p("| %s: one token request per operation, reused for every request | token requests per pull: %s; round trips before the blob GET %s | %s |",
			caseName(c), tokenRuns(sup), tripsString(sup), verdict(one))
	}
}

// tokenRuns says how many token requests the runs of r made.
func tokenRuns(r *result) string {
	if len(r.tokens) == 0 {
		return "not measured"
	}
	lo, hi := slices.Min(r.tokens), slices.Max(r.tokens)
	if lo == hi {
		return fmt.Sprintf("%d in each of %d runs", lo, len(r.tokens))
	}
	return fmt.Sprintf("%d to %d over %d runs", lo, hi, len(r.tokens))
}

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

func stretch(x float64) string {
	if x <= limitStretch {
		return " (stretch met)"
	}
	return ""
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
