package doctor

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestCheckLinks: a sound link in range is no problem; under a range it
// does not fit, it is one (code 3) that names the link and the fix; a
// dangling one is one problem (code 6), not also a verify problem.
func TestCheckLinks(t *testing.T) {
	ctx := context.Background()
	dir, ref := pulled(t)
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolver.New(c, resolver.WithEngine(engine.None), resolver.WithPullPolicy(resolver.PullNever),
		resolver.WithRange(compat.MustParse(">=0.0.47-0 <0.0.48-0")))
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.ResolveLink(ctx, ref, "gateway")
	if err != nil {
		t.Fatal(err)
	}
	check := func(rng string) *Report {
		t.Helper()
		opts := []Option{WithEngine(engine.None)}
		if rng != "" {
			opts = append(opts, WithRange(compat.MustParse(rng)))
		}
		rep, err := Check(ctx, dir, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := check(">=0.0.47-0 <0.0.48-0"); len(problems(rep, "link")) != 0 || len(rep.Links) != 1 || rep.Links[0].Version != fixtureVersion {
		t.Fatalf("sound link: %+v %+v", rep.Links, rep.Problems)
	}
	rep := check(">=0.1.0")
	ps := problems(rep, "link")
	if len(ps) != 1 || ps[0].Kind != KindIncompatible || !strings.Contains(ps[0].Message, fixtureVersion) ||
		!strings.Contains(ps[0].Message, c.LinkPath("gateway")) || !strings.Contains(ps[0].Fix, "point link gateway at it") ||
		ps[0].Remedy == nil || !reflect.DeepEqual(*ps[0].Remedy, Remedy{Action: ActionRelink, Ref: l.Ref, Range: ">=0.1.0", Link: "gateway"}) {
		t.Fatalf("out of range: %+v", rep.Problems)
	}
	os.Chmod(filepath.Dir(l.Path), 0o755)
	if err := os.RemoveAll(filepath.Dir(l.Path)); err != nil {
		t.Fatal(err)
	}
	rep = check("")
	if ps := problems(rep, "link"); len(ps) != 1 || ps[0].Kind != KindDamaged || len(problems(rep, "cache")) != 0 || ps[0].Remedy == nil || ps[0].Remedy.Action != ActionRelink {
		t.Fatalf("dangling: %+v", rep.Problems)
	}
}
