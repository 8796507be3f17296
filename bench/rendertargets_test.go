//go:build linux

package bench

import (
	"fmt"
	"slices"
	"time"
)

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

func stretch(x float64) string {
	if x <= limitStretch {
		return " (stretch met)"
	}
	return ""
}
