package cache

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
)

// FuzzParseTarget: a link's target is accepted only in the one form
// SetLink writes, which names a file directly inside an entry directory:
// it can never lead outside the cache's entries, whatever it holds.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		linkTarget(Key{Manifest: digest.FromString("a")}),
		linkTarget(Key{Manifest: digest.FromString("a"), File: "/usr/bin/openshell-sandbox"}),
		"../entries/sha256-x/openshell-sandbox", "../entries/../x", "../entries/.tmp-x/y", "../entries/x.lock/y",
		"/usr/bin/true", "../../etc/passwd", "../entries/x/", "../entries/x/..", "../entries//y", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entry, base, ok := parseTarget(s)
		if !ok {
			return
		}
		if s != "../entries/"+entry+"/"+base || strings.ContainsAny(entry+base, "/") {
			t.Fatalf("%q accepted as %q, %q", s, entry, base)
		}
		links := filepath.Join("/cache", linksDir)
		if got := filepath.Join(links, filepath.FromSlash(s)); filepath.Dir(filepath.Dir(got)) != filepath.Join("/cache", "entries") {
			t.Fatalf("%q leads to %s, outside the entries", s, got)
		}
		if !isEntryName(entry) {
			t.Fatalf("%q: %q is not an entry name", s, entry)
		}
	})
}

// FuzzValidLinkName: a valid name is a plain file name in the links
// directory, never a temporary, lock or previous link.
func FuzzValidLinkName(f *testing.F) {
	for _, s := range []string{"gateway", "a", "-x", "x.previous", ".tmp-x", "x/y", "..", strings.Repeat("a", 65), "Gateway"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidLinkName(s) != nil {
			return
		}
		if filepath.Base(s) != s || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".lock") || strings.HasSuffix(s, previousSuffix) || len(s) > 64 {
			t.Fatalf("%q accepted", s)
		}
	})
}
