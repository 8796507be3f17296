package resolver_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/resolver"
)

// Typed digests marshal as the strings they always were.
func TestResultJSON(t *testing.T) {
	md, idx := digest.FromString("manifest"), digest.FromString("index")
	res := resolver.Result{
		Ref: "r.example/sup:dev", Digest: md, IndexDigest: idx, Platform: "linux/amd64", Path: "/c/sup",
		Version: "0.0.47", VersionSource: "run", BinarySHA256: digest.FromString("bin").Encoded(), Size: 3,
		ResolvedFrom: resolver.FromRegistry, Extracted: true, CheckedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	got, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ref":"r.example/sup:dev","digest":"` + md.String() + `","index_digest":"` + idx.String() + `","platform":"linux/amd64",` +
		`"path":"/c/sup","version":"0.0.47","version_source":"run","binary_sha256":"` + digest.FromString("bin").Encoded() + `","size":3,` +
		`"resolved_from":"registry","extracted":true,"checked_at":"2026-01-01T00:00:00Z"}`
	if string(got) != want {
		t.Errorf("Result JSON\n%s\nwant\n%s", got, want)
	}
	pin, err := json.Marshal(resolver.Pin{Ref: "r.example/sup:0.0.47", Digest: idx, Image: "r.example/sup@" + idx.String()})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"ref":"r.example/sup:0.0.47","digest":"` + idx.String() + `","image":"r.example/sup@` + idx.String() + `","platforms":null}`; string(pin) != want {
		t.Errorf("Pin JSON\n%s\nwant\n%s", pin, want)
	}
	var back resolver.Result
	if err := json.Unmarshal(got, &back); err != nil || back.Digest != md || back.IndexDigest != idx {
		t.Errorf("Result JSON does not read back: %+v %v", back, err)
	}
}
