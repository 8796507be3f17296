package main

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestLsMovedTag pulls a tag, moves it to another image and pulls again:
// only the new entry lists the tag; the old one lists it as previous.
func TestLsMovedTag(t *testing.T) {
	isolate(t)
	reg := registrytest.NewInProcess(t)
	amd64 := []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	_, tag := pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: "0.0.46", Platforms: amd64})
	oldPath, _ := pullJSON(t, tag)
	_, _ = pushFixture(t, reg, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.13+g57b71c68f", Platforms: amd64})
	newPath, _ := pullJSON(t, tag, "--pull", "always")
	b, _ := pushFixture(t, reg, "openshell/supervisor:other", fixture.Options{Version: "0.0.45", Platforms: amd64})
	id, _ := b.Index.Digest()
	byDigest := reg.Host() + "/openshell/supervisor@" + id.String()
	digestPath, _ := pullJSON(t, byDigest)

	code, out, errOut := supctl(t, "--json", "ls")
	var list []lsEntry
	oneDoc(t, out, &list)
	if code != 0 || len(list) != 3 {
		t.Fatalf("ls --json: exit %d %s\n%s", code, errOut, out)
	}
	for _, e := range list {
		switch e.Path {
		case newPath:
			if !e.Current || len(e.Refs) != 1 || e.Refs[0] != tag || len(e.PreviousRefs) != 0 {
				t.Errorf("current entry %+v", e)
			}
		case oldPath:
			if e.Current || len(e.Refs) != 0 || len(e.PreviousRefs) != 1 || e.PreviousRefs[0] != tag || e.Ref != tag {
				t.Errorf("old entry %+v", e)
			}
		case digestPath:
			if !e.Current || len(e.Refs) != 1 || e.Refs[0] != byDigest {
				t.Errorf("entry pulled by digest %+v", e)
			}
		default:
			t.Errorf("unexpected entry %s", e.Path)
		}
		if strings.Contains(out, `"index_digest": ""`) {
			t.Errorf("empty index_digest placeholder:\n%s", out)
		}
	}

	code, out, _ = supctl(t, "ls")
	if code != 0 {
		t.Fatal(code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 || strings.Count(out, tag) != 1 {
		t.Fatalf("ls lists the moved tag %d times, want once:\n%s", strings.Count(out, tag), out)
	}
	for _, l := range lines {
		switch {
		case strings.Contains(l, "0.0.46"):
			if !strings.HasSuffix(l, "  -") {
				t.Errorf("old entry's line shows a ref: %q", l)
			}
		case strings.Contains(l, "0.0.47-dev.13"):
			if !strings.HasSuffix(l, "  "+tag) {
				t.Errorf("current entry's line lacks the tag: %q", l)
			}
		case strings.Contains(l, "0.0.45"):
			if !strings.HasSuffix(l, "@sha256:"+id.Hex[:12]) {
				t.Errorf("digest ref not shortened: %q", l)
			}
		}
	}
	// On a terminal of 80 or 100 columns every line fits.
	for _, width := range []int{80, 100} {
		var b strings.Builder
		if err := printLs(&globals{stdout: &b}, list, false, time.Now(), width); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("a line of %d columns on a terminal of %d:\n%s", n, width, l)
			}
		}
	}
	code, out, _ = supctl(t, "ls", "--no-trunc")
	if code != 0 || !strings.Contains(out, byDigest) || !strings.Contains(out, list[0].Digest) {
		t.Errorf("ls --no-trunc lacks the full digests:\n%s", out)
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", time.Minute: "1m ago", 59 * time.Minute: "59m ago",
		time.Hour: "1h ago", 47 * time.Hour: "47h ago", 2 * day: "2d ago", 13 * day: "13d ago",
		2 * week: "2w ago", 7 * week: "7w ago", 9 * week: now.Add(-9 * week).Local().Format("2006-01-02"),
	} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
	if got := ago(now, time.Time{}); got != "never" {
		t.Errorf("zero time: %q", got)
	}
}
