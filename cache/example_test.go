package cache_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/manifest"
)

// Filling an entry follows the fill protocol: Begin takes the entry's lock
// (or finds it filled already), Write streams the binary into a temporary
// file, Commit syncs and renames it into place with its record. Lookups
// verify the entry before handing out its path.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "supctl-example-")
	defer os.RemoveAll(dir)
	c, err := cache.Open(filepath.Join(dir, "cache"))
	if err != nil {
		fmt.Println(err)
		return
	}
	k := cache.Key{Manifest: digest.FromString("a platform image manifest")}

	_, err = c.Lookup(ctx, k)
	fmt.Println("before:", errors.Is(err, cache.ErrNotCached), errors.Is(err, fs.ErrNotExist))

	f, e, err := c.Begin(ctx, k)
	if err != nil || e != nil {
		fmt.Println(err, e)
		return
	}
	f.Write([]byte("\x7fELF, the binary's bytes"))
	e, err = f.Commit(manifest.Entry{
		Ref: "ghcr.io/nvidia/openshell/supervisor:dev", Registry: "ghcr.io", Repository: "nvidia/openshell/supervisor",
		Platform: "linux/amd64", LayerDigest: digest.FromString("its layer"),
		Version: "0.0.47-dev.13+g57b71c68f", VersionSource: "run",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("committed:", filepath.Base(e.Path), e.Size, e.BinarySHA256 == digest.FromString("\x7fELF, the binary's bytes"))

	e, err = c.Lookup(ctx, k)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := os.Stat(e.Path)
	fmt.Println("found:", e.Version, st.Mode())
	// Output:
	// before: true true
	// committed: openshell-sandbox 24 true
	// found: 0.0.47-dev.13+g57b71c68f -r-xr-xr-x
}
