//go:build linux

package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// rssTarget is SPEC §5's bound on supctl's peak RSS.
const rssTarget = 48 << 10 // KiB

// report is what TestReport measured.
type report struct {
	started                    time.Time
	took                       time.Duration
	loadStart, loadMeasure     string
	loadEnd                    string
	loadWaited                 time.Duration
	machine                    machine
	crane                      string
	img40, img150              image
	cold40, cold150, in40, cli []*result
	lib                        []libWarm
	conc                       []round
	floors                     []floor
}

func find(rs []*result, name string) *result {
	i := slices.IndexFunc(rs, func(r *result) bool { return r.name == name })
	if i < 0 {
		panic("no result " + name)
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
	p("- Go %s; registry: Debian's docker-registry (%s) on 127.0.0.1, plain HTTP; crane %s.", m.goVer, m.registry, r.crane)
	p("- Load average (1, 5, 15 min): %s before setup, %s when measuring began%s, %s at the end.", r.loadStart, r.loadMeasure, waited(r.loadWaited), r.loadEnd)
	for _, im := range []image{r.img40, r.img150} {
		p("- Image %s: an index of linux/amd64 and linux/arm64; %d gzip layers, the binary (%d bytes, incompressible padding) alone in the top layer (%.1f MiB compressed).",
			im.label, im.layers, im.size, float64(im.layerSize)/(1<<20))
	}
	p("")
	r.targets(p)
	r.coldTable(p)
	r.inProcessTable(p)
	r.warmTables(p)
	r.concurrentTable(p)
	return w.String()
}

func waited(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " (after waiting " + d.String() + " for the load to drop)"
}

type printer func(format string, args ...any)

func (r *report) targets(p printer) {
	sup, crane := find(r.cold40, nameSupctl), find(r.cold40, nameCrane)
	procLimit := ratioOf(r.cold40, nameSupctl, nameLimit)
	inLimit := ratioOf(r.in40, nameLibrary, nameLimitIn)
	vsCrane := ratio(sup.walls.median(), crane.walls.median())
	rss40, rss150 := sup.rssKiB, find(r.cold150, nameSupctl).rssKiB

	p("### Targets (SPEC §5)")
	p("")
	p("| target | measured | |")
	p("|---|---|---|")
	p("| cold pull, 40 MiB: within 1.3× the limit, as processes | %s (median %s vs %s) | %s |", times(procLimit),
		ms(sup.walls.median()), ms(find(r.cold40, nameLimit).walls.median()), verdict(procLimit <= 1.3))
	p("| cold pull, 40 MiB: within 1.3× the limit, in-process | %s (median %s vs %s) | %s |", times(inLimit),
		ms(find(r.in40, nameLibrary).walls.median()), ms(find(r.in40, nameLimitIn).walls.median()), verdict(inLimit <= 1.3))
	p("| cold pull, 40 MiB: at most 0.5× `crane export \\| tar -x` | %s (median %s vs %s) | %s |", times(vsCrane),
		ms(sup.walls.median()), ms(crane.walls.median()), verdict(vsCrane <= 0.5))
	p("| peak RSS under 48 MiB, 40 MiB binary | %s (largest of %d runs) | %s |", mib(rss40), len(sup.walls), verdict(rss40 > 0 && rss40 < rssTarget))
	p("| peak RSS under 48 MiB, 150 MiB binary | %s (largest of %d runs) | %s |", mib(rss150), len(find(r.cold150, nameSupctl).walls), verdict(rss150 > 0 && rss150 < rssTarget))

	warmTag, warmDigest := r.cli[1], r.cli[2]
	libReqs := 0
	for _, l := range r.lib {
		libReqs += l.requests
	}
	zero := warmTag.reqs.total == 0 && warmDigest.reqs.total == 0 && !warmTag.reqsVar && !warmDigest.reqsVar && libReqs == 0
	p("| warm pull (fresh tag, cached digest): zero registry requests | CLI: %d and %d per pull over %d runs each; library: %d over %d+%d calls | %s |",
		warmTag.reqs.total, warmDigest.reqs.total, len(warmTag.walls), libReqs, r.lib[0].n, r.lib[1].n, verdict(zero))
	slowest := slices.MaxFunc(r.lib, func(a, b libWarm) int { return int(a.nsPerOp - b.nsPerOp) })
	p("| warm library call well under 1 ms (read as: under 0.5 ms) | %s | %s |", libSummary(r.lib), verdict(slowest.nsPerOp < 500_000))
	version := r.cli[0]
	rt, rd := ratio(warmTag.walls.median(), version.walls.median()), ratio(warmDigest.walls.median(), version.walls.median())
	p("| warm CLI pull dominated by process start (read as: at most 2× `supctl version`) | tag %s, digest %s of `supctl version` (%s) | %s |",
		times(rt), times(rd), ms(version.walls.median()), verdict(rt <= 2 && rd <= 2))
	stale := r.cli[3].reqs
	staleOK := stale.manifestHeads == 1 && stale.manifestGets == 0 && stale.blobGets == 0 && stale.other == 0 && stale.base <= 1 && !r.cli[3].reqsVar
	p("| stale floating tag, unchanged: exactly one request for the manifest | %d HEAD of the manifest, %d manifest GETs, %d blob GETs, plus %d `GET /v2/` (API root: auth discovery); same in all %d runs: %v | %s |",
		stale.manifestHeads, stale.manifestGets, stale.blobGets, stale.base, len(r.cli[3].walls), !r.cli[3].reqsVar, verdict(staleOK))
	once := true
	var walls samples
	for _, rd := range r.conc {
		once = once && rd.reqs.layerGets == 1 && rd.ok == concurrentProcs && rd.paths == 1
		walls = append(walls, rd.wall)
	}
	p("| %d processes, one uncached ref: layer downloaded once, all succeed, same path | %s | %s |", concurrentProcs, concSummary(r.conc), verdict(once))
	cr := ratio(walls.median(), sup.walls.median())
	p("| %d processes: wall time within 1.5× one cold pull | %s (median of %d rounds %s vs one cold `supctl pull` %s) | %s |",
		concurrentProcs, times(cr), len(walls), ms(walls.median()), ms(sup.walls.median()), verdict(cr <= 1.5))
	p("")
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

func (r *report) coldTable(p printer) {
	p("### Cold pull, separate processes")
	p("")
	p("Fresh cache (or output) directory per run; `sync` before each run; order rotated each round; 1 warm-up round not counted. " +
		"Each process is started and measured by `peakrss` (wall time, CPU time, peak RSS of that process and the children it waited for: " +
		"for the pipeline `sh` with crane and tar). CPU is user + system time, median of the runs; peak RSS the largest of the runs.")
	p("")
	p("| binary | contender | runs | median | fastest–slowest | × limit | × crane | CPU | peak RSS | registry requests per pull |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range []struct {
		img image
		rs  []*result
	}{{r.img40, r.cold40}, {r.img150, r.cold150}} {
		lim, crane := find(c.rs, nameLimit).walls.median(), find(c.rs, nameCrane).walls.median()
		for _, x := range c.rs {
			med := x.walls.median()
			p("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |", c.img.label, x.name, len(x.walls), ms(med), x.walls.spread(),
				times(ratio(med, lim)), times(ratio(med, crane)), ms(x.cpus.median()), mib(x.rssKiB), reqString(x))
		}
	}
	p("")
}

func (r *report) inProcessTable(p printer) {
	p("### Cold pull of the 40 MiB binary in-process")
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
			ms(x.cpus.median()), float64(r.img40.size)/1e6/med.Seconds())
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
	sup := find(r.cold40, nameSupctl)
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
}
