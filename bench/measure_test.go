//go:build linux

package bench

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// bed is the report's test bed: the real registry, the tools and the
// images.
type bed struct {
	t     *testing.T
	reg   *registrytest.Server
	proxy *countProxy // in front of reg: the contenders' registry, counting what they do
	// tokens, when set, is the counting proxy in front of the token
	// service of the registry behind proxy; its events are merged with
	// proxy's.
	tokens *countProxy
	token  *tokenBed // the registry behind a token realm, if measured
	wan    *wanNet   // set while the contenders run across the emulated WAN
	work   string    // scratch directory for runs
	env    []string  // environment of the contenders
	tools  tools
}

// contender is one way of doing a scenario's job.
type contender struct {
	name string
	// run does the job once; dir is a new empty directory unless the
	// scenario says otherwise.
	run func(ctx context.Context, dir string) (sample, error)
	// check, if set, checks the outcome of a run; full asks for a check of
	// the bytes, not just the size.
	check func(dir string, s sample, full bool) error
}

// requests counts the registry requests of one run.
type requests struct {
	total, base, manifestGets, manifestHeads, blobGets, layerGets, other int
	tokens                                                               int // requests to a token realm ("/token")
}

func countRequests(reqs []registrytest.Request, layer string) requests {
	var n requests
	n.total = len(reqs)
	for _, r := range reqs {
		rt := r.Route()
		switch {
		case r.Path == tokenPath:
			n.tokens++
		case rt.Kind == registrytest.KindBase:
			n.base++
		case rt.Kind == registrytest.KindManifest && r.Method == http.MethodGet:
			n.manifestGets++
		case rt.Kind == registrytest.KindManifest && r.Method == http.MethodHead:
			n.manifestHeads++
		case rt.Kind == registrytest.KindBlob && r.Method == http.MethodGet:
			n.blobGets++
			if rt.Ref == layer {
				n.layerGets++
			}
		default:
			n.other++
		}
	}
	return n
}

// result is what the measured runs of a contender gave.
type result struct {
	name    string
	walls   samples
	cpus    samples // CPU time (user + system) of the runs, when measured
	rssKiB  int64   // peak over runs
	reqs    requests
	reqsVar bool       // the runs did not all make the same requests
	conns   int        // connections opened, last run
	before  beforeBlob // what the last run did before the GET of the layer
	toBlob  samples    // from the start to the GET of the layer
	tail    samples    // from the last byte received to the exit (WAN only)
	tokens  []int      // token requests of each run
}

// measure runs each contender warmup times unmeasured, then rounds times,
// rotating their order from round to round so that drift in the machine's
// load spreads evenly. Before each run the file systems are synced, so no
// run pays for the write-back of an earlier one; the page cache cannot be
// dropped (that needs root), so the registry serves its blobs from memory
// after the warm-up. layer is the blob whose GETs are counted apart.
func (b *bed) measure(rounds, warmup int, layer string, cs ...contender) []*result {
	b.t.Helper()
	res := make([]*result, len(cs))
	for i, c := range cs {
		res[i] = &result{name: c.name}
	}
	for round := -warmup; round < rounds; round++ {
		for k := range cs {
			i := (k + round + warmup) % len(cs)
			c := cs[i]
			dir, err := os.MkdirTemp(b.work, "run-")
			if err != nil {
				b.t.Fatal(err)
			}
			syncFS()
			ctx, cancel := context.WithTimeout(b.t.Context(), runTimeout)
			mark, tmark := b.proxy.Mark(), 0
			if b.tokens != nil {
				tmark = b.tokens.Mark()
			}
			if b.wan != nil {
				b.wan.relay.Reset()
			}
			s, err := c.run(ctx, dir)
			cancel()
			if err != nil {
				b.t.Fatalf("%s: %v", c.name, err)
			}
			if c.check != nil {
				if err := c.check(dir, s, round == -warmup); err != nil {
					b.t.Fatalf("%s: %v", c.name, err)
				}
			}
			if err := removeAll(dir); err != nil {
				b.t.Fatal(err)
			}
			if round < 0 {
				continue
			}
			r := res[i]
			ev := b.proxy.Since(mark)
			if b.tokens != nil {
				ev = mergeEvents(ev, b.tokens.Since(tmark))
			}
			n := countRequests(requestsOf(ev), layer)
			r.conns, r.before = connsOf(ev), countBeforeBlob(ev, layer)
			if !s.exited.IsZero() && !r.before.blobAt.IsZero() {
				r.toBlob = append(r.toBlob, r.before.blobAt.Sub(s.exited.Add(-s.wall)))
			}
			if b.wan != nil && !s.exited.IsZero() {
				if last := b.wan.relay.LastData(portsOf(ev)); !last.IsZero() {
					r.tail = append(r.tail, s.exited.Sub(last))
				}
			}
			if len(r.walls) > 0 && n != r.reqs {
				r.reqsVar = true
			}
			r.reqs = n
			r.tokens = append(r.tokens, n.tokens)
			r.walls = append(r.walls, s.wall)
			if s.cpu > 0 {
				r.cpus = append(r.cpus, s.cpu)
			}
			r.rssKiB = max(r.rssKiB, s.rssKiB)
		}
	}
	return res
}
