package cache_test

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkLookup measures the warm path: the ownership chain, the stat
// checks and the seal, without a re-hash.
func BenchmarkLookup(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "a", "b", "cache")
	c, clk := openClockedIn(b, dir)
	put(b, c, clk, "e", spec{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Lookup(ctx, keyOf("e")); err != nil {
			b.Fatal(err)
		}
	}
}
