package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// A gateway resolves its supervisor image once per sandbox: the first call
// extracts the binary, the next is served from the cache with no registry
// request, and a range the binary does not fit is a typed error.
func Example() {
	ctx := context.Background()
	reg := fixture.Serve() // an in-process registry on 127.0.0.1
	defer reg.Close()
	ref, _, err := reg.PushSupervisor(ctx, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.13+g57b71c68f"})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "supctl-example-")
	defer os.RemoveAll(dir)
	c, err := cache.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}

	r, err := resolver.New(c, resolver.WithRange(compat.MustParse(">=0.0.47-0 <0.1.0")), resolver.WithEngine("none"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := r.Resolve(ctx, ref)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Version, res.ResolvedFrom, res.Extracted)
	before := reg.Requests()
	res, _ = r.Resolve(ctx, ref)
	fmt.Println(res.ResolvedFrom, res.Extracted, reg.Requests()-before, "requests")

	strict, _ := resolver.New(c, resolver.WithRange(compat.MustParse(">=0.1.0")), resolver.WithEngine("none"))
	_, err = strict.Resolve(ctx, ref)
	var inc *resolver.IncompatibleError
	fmt.Println(errors.Is(err, resolver.ErrIncompatible), errors.As(err, &inc) && inc.Version == res.Version)
	// Output:
	// 0.0.47-dev.13+g57b71c68f registry true
	// cache false 0 requests
	// true true
}
