package resolver_test

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/resolver"
)

// BenchmarkColdTail pulls a tag into a new cache each time and measures
// the tail of the pull: from the arrival of the last byte of the layer
// holding the binary to the return of Resolve (sealing, the version run,
// syncs, records, the commit). It reports the median as tail-ms.
func BenchmarkColdTail(b *testing.B) {
	ctx := context.Background()
	reg, ref := pushedFixture(b)
	var (
		mu   sync.Mutex
		last time.Time // when the last byte of a layer arrived
	)
	progress := func(p resolver.Progress) {
		if p.Complete == p.Total && !p.Done {
			mu.Lock()
			last = time.Now()
			mu.Unlock()
		}
	}
	var tails []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		c, err := cache.Open(filepath.Join(b.TempDir(), "cache"))
		if err != nil {
			b.Fatal(err)
		}
		r, err := resolver.New(c, resolver.WithTransport(reg.Transport()), resolver.WithKeychain(authn.NewMultiKeychain()),
			resolver.WithProgress(progress))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := r.Resolve(ctx, ref)
		end := time.Now()
		if err != nil || !res.Extracted {
			b.Fatalf("resolve: %+v, %v; want an extraction", res, err)
		}
		mu.Lock()
		tails = append(tails, end.Sub(last))
		mu.Unlock()
	}
	sort.Slice(tails, func(i, j int) bool { return tails[i] < tails[j] })
	b.ReportMetric(float64(tails[len(tails)/2].Microseconds())/1000, "tail-ms")
}
