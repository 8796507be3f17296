package resolver_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestIncompatibleCachedTagIsRechecked: a fresh floating tag whose cached
// binary is outside the range is checked once (one HEAD) before the
// refusal: a tag that moved to a fitting binary is served; one that did
// not, or a registry that cannot say, leaves the refusal standing.
func TestIncompatibleCachedTagIsRechecked(t *testing.T) {
	ctx := context.Background()
	rng := resolver.WithRange(compat.MustParse(">=0.0.48"))
	const head = "HEAD"
	for _, tc := range []struct {
		name  string
		moved bool
		down  bool
		heads int
		ok    bool
	}{
		{"tag moved", true, false, 1, true},
		{"tag unchanged", false, false, 1, false},
		{"registry down", true, true, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newFaultEnv(t) // dev is 0.0.47-dev.13 (the fixture's default)
			if _, err := fe.resolver(t).Resolve(ctx, fe.ref); err != nil {
				t.Fatal(err)
			}
			if tc.moved {
				next, err := fixture.Build(ctx, fixture.Options{BuildDir: t.TempDir(), Version: "0.0.48"})
				if err != nil {
					t.Fatal(err)
				}
				if err := fixture.Push(ctx, fe.ref, next.Index); err != nil {
					t.Fatal(err)
				}
			}
			fe.fault.Reset()
			if tc.down {
				fe.fault.On(func(*http.Request) bool { return true }, 0, registrytest.Status(http.StatusServiceUnavailable))
			}
			res, err := fe.resolver(t, rng).Resolve(ctx, fe.ref) // the tag's check is fresh
			if tc.ok {
				if err != nil || res.Version != "0.0.48" {
					t.Fatalf("got %+v, %v; want the tag's new binary", res, err)
				}
			} else if !errors.Is(err, resolver.ErrIncompatible) {
				t.Fatalf("got %v, want the refusal to stand", err)
			}
			if n := fe.fault.Hits(head, "/v2/sup/manifests/dev"); tc.heads >= 0 && n != tc.heads {
				t.Errorf("%d HEADs of the tag, want %d", n, tc.heads)
			}
		})
	}
}
