package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestQuickstart: the story is told in order, from the library's own
// decisions: the stale binary refused, the tag checked again, the right
// binary selected and the link switched; then a warm pull with no request
// and a gateway needing a newer supervisor refused.
func TestQuickstart(t *testing.T) {
	var out, logs bytes.Buffer
	if err := run(context.Background(), false, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "level=") || !strings.Contains(logs.String(), "msg=extracted") {
		t.Errorf("log lines belong on the log writer:\nstdout:\n%s\nlogs:\n%s", out.String(), logs.String())
	}
	want := []string{
		`weeks ago   a gateway of the 0.0.37 line pulls :dev: openshell-sandbox 0.0.37-dev.160 \(learned by `,
		`since       :dev moved on to openshell-sandbox 0.0.47-dev.13`,
		`today       gateway 0.0.47-dev.12 starts, needing ">=0.0.47-0 <0.0.48-0"`,
		`  refused     the cached openshell-sandbox 0.0.37-dev.160: outside ">=0.0.47-0 <0.0.48-0"`,
		`  re-checked  :dev with the registry at once: it moved to sha256:[0-9a-f]{12}…`,
		`  selected    openshell-sandbox 0.0.47-dev.13 \(learned by \S+, from the registry\)`,
		`  switched    links/gateway -> entries/sha256-[0-9a-f]{12}…/openshell-sandbox`,
		`again       from cache, 0 registry requests, same binary: true, link switched: false`,
		`strict      .*outside the required range ">=0.1.0"`,
		`supervisor_bin = ".*/links/gateway"`,
	}
	s := out.String()
	for _, w := range want {
		loc := regexp.MustCompile(w).FindStringIndex(s)
		if loc == nil {
			t.Fatalf("output lacks %q, or not in this order:\n%s", w, out.String())
		}
		s = s[loc[1]:]
	}
}
