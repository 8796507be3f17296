package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/openshell-contrib/supctl/cache"
)

// mayBePath reports whether inspect's target may name a local file: then
// the cache is only opened as it is, never created (checking a file in
// place uses no cache). The resolver says for certain; a target it takes
// for a reference gets a cache opened as a pull does.
func mayBePath(target string) bool {
	if strings.HasPrefix(target, "/") || strings.HasPrefix(target, ".") {
		return true
	}
	_, err := os.Lstat(target)
	return err == nil
}

// inspectCache opens the cache for checking a file in place: as it is if
// it exists (nothing is created in it), else an empty one in a temporary
// directory, removed by done.
func (g *globals) inspectCache() (c *cache.Cache, done func(), err error) {
	c, err = g.openExistingCache()
	if !errors.Is(err, fs.ErrNotExist) {
		return c, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "supctl-inspect-")
	if err != nil {
		return nil, nil, err
	}
	done = func() { os.RemoveAll(tmp) }
	if c, err = cache.Open(tmp); err != nil {
		done()
		return nil, nil, err
	}
	return c, done, nil
}
