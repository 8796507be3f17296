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
