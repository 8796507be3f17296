package registrytest

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushPull pushes a small random image to reg, pulls it back, and checks
// that the recorded requests are exactly those the two operations made.
func pushPull(t *testing.T, reg Registry, auth authn.Authenticator) {
	t.Helper()
	img, err := random.Image(700, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg.Host() + "/test/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	opts := []remote.Option{remote.WithTransport(reg.Transport()), remote.WithAuth(auth)}

	// The blobs of the image: its config and layers.
	var blobs []v1.Hash
	cfgName, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	blobs = append(blobs, cfgName)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		sz, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, d)
		sizes[d.String()] = sz
	}
	wantDigest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	// Push.
	reg.ResetRequests()
	if err := remote.Write(ref, img, opts...); err != nil {
		t.Fatalf("push: %v", err)
	}
	reg.Sync()
	push := reg.Requests()
	if n := CountRoute(push, http.MethodPut, KindManifest, "v1"); n != 1 {
		t.Errorf("push: %d manifest PUTs of v1, want 1\n%s", n, FormatRequests(push))
	}
	for _, r := range Filter(push, func(r Request) bool { return r.Method == http.MethodPut && r.Route().Kind == KindManifest }) {
		if r.Status != http.StatusCreated || r.Route().Repo != "test/app" {
			t.Errorf("push: manifest PUT %v: want status 201 in repo test/app", r)
		}
	}
	for _, d := range blobs {
		// Each blob is uploaded once: the PUT that completes its upload
		// names it in the query.
		n := Count(push, func(r Request) bool {
			if r.Method != http.MethodPut || r.Route().Kind != KindUpload || r.Status != http.StatusCreated {
				return false
			}
			q, err := url.ParseQuery(r.RawQuery)
			return err == nil && q.Get("digest") == d.String()
		})
		if n != 1 {
			t.Errorf("push: %d completed uploads of %s, want 1\n%s", n, d, FormatRequests(push))
		}
		if n := CountBlobGets(push, d.String()); n != 0 {
			t.Errorf("push: %d GETs of blob %s, want 0", n, d)
		}
	}

	// Pull: one manifest GET, one GET per blob, nothing written.
	mark := reg.Mark()
	pulled, err := remote.Image(ref, opts...)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	gotDigest, err := pulled.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if gotDigest != wantDigest {
		t.Errorf("pulled digest %s, want %s", gotDigest, wantDigest)
	}
	rawCfg, err := pulled.RawConfigFile()
	if err != nil {
		t.Fatalf("pull config: %v", err)
	}
	checkSHA256(t, "config", rawCfg, cfgName)
	pulledLayers, err := pulled.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range pulledLayers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		rc, err := l.Compressed()
		if err != nil {
			t.Fatalf("pull layer %s: %v", d, err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatalf("pull layer %s: %v", d, err)
		}
		checkSHA256(t, "layer", data, d)
	}
	reg.Sync()
	pull := reg.Since(mark)
	if n := CountManifestGets(pull, "v1"); n != 1 {
		t.Errorf("pull: %d manifest GETs of v1, want 1\n%s", n, FormatRequests(pull))
	}
	for _, d := range blobs {
		if n := CountBlobGets(pull, d.String()); n != 1 {
			t.Errorf("pull: %d GETs of blob %s, want 1\n%s", n, d, FormatRequests(pull))
		}
	}
	for _, r := range Filter(pull, func(r Request) bool { return r.Route().Kind == KindBlob }) {
		if r.Status != http.StatusOK {
			t.Errorf("pull: %v: want status 200", r)
		}
		if want, ok := sizes[r.Route().Ref]; ok && r.Bytes != want {
			t.Errorf("pull: %v: %d bytes, want %d", r, r.Bytes, want)
		}
	}
	if n := Count(pull, func(r Request) bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }); n != 0 {
		t.Errorf("pull: %d requests other than GET/HEAD\n%s", n, FormatRequests(pull))
	}
	if got := len(reg.Requests()); got != len(push)+len(pull) {
		t.Errorf("Requests has %d entries, want push %d + pull %d", got, len(push), len(pull))
	}

	// HEAD and GET of the manifest by digest, by hand, are told apart.
	mark = reg.Mark()
	client := &http.Client{Transport: reg.Transport()}
	for _, method := range []string{http.MethodHead, http.MethodGet, http.MethodGet} {
		req, err := http.NewRequest(method, reg.URL()+"/v2/test/app/manifests/"+wantDigest.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
		req.Header.Set("User-Agent", "registrytest-check/1")
		if b, ok := auth.(*authn.Basic); ok {
			req.SetBasicAuth(b.Username, b.Password)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s manifest: status %d", method, resp.StatusCode)
		}
	}
	reg.Sync()
	byHand := reg.Since(mark)
	if h, g := CountManifestHeads(byHand, wantDigest.String()), CountManifestGets(byHand, wantDigest.String()); h != 1 || g != 2 || len(byHand) != 3 {
		t.Errorf("by hand: %d HEADs and %d GETs of the manifest in %d requests, want 1, 2, 3\n%s", h, g, len(byHand), FormatRequests(byHand))
	}
	for _, r := range byHand {
		if r.UserAgent != "registrytest-check/1" || r.Status != http.StatusOK || r.Route().Repo != "test/app" {
			t.Errorf("by hand: %+v: want user agent registrytest-check/1, status 200, repo test/app", r)
		}
	}
}

func checkSHA256(t *testing.T, what string, data []byte, want v1.Hash) {
	t.Helper()
	sum := sha256.Sum256(data)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != want.String() {
		t.Errorf("%s: content has digest %s, want %s", what, got, want)
	}
}
