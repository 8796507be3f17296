package resolver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestLargeIndexRoundTrips: an index far over a megabyte but under
// MaxManifestSize is recorded and read back, so a warm pull of its tag
// makes no request.
func TestLargeIndexRoundTrips(t *testing.T) {
	ctx := context.Background()
	fe := newFaultEnv(t)
	im, err := fe.b.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	big := *im
	for i := 0; len(big.Manifests) < 16000; i++ {
		big.Manifests = append(big.Manifests, v1.Descriptor{
			MediaType: types.OCIManifestSchema1, Size: 1234,
			Digest:   v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%064x", i)},
			Platform: &v1.Platform{OS: "linux", Architecture: fmt.Sprintf("fake%d", i)},
		})
	}
	body, err := json.Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) <= 2<<20 || len(body) > registry.MaxManifestSize {
		t.Fatalf("the index is %d bytes; want between 2 MiB and MaxManifestSize", len(body))
	}
	fe.fault.On(registrytest.Path("/v2/sup/manifests/dev"), 0, registrytest.Body(http.StatusOK, string(types.OCIImageIndex), string(body)))
	r := fe.resolver(t)
	if _, err := r.Resolve(ctx, fe.ref); err != nil {
		t.Fatal(err)
	}
	fe.fault.Reset()
	res, err := r.Resolve(ctx, fe.ref)
	if err != nil || res.ResolvedFrom != resolver.FromCache {
		t.Fatalf("warm pull: %+v, %v", res, err)
	}
	if n := fe.fault.TotalHits(); n != 0 {
		t.Errorf("a warm pull of a large index made %d requests, want 0", n)
	}
}
