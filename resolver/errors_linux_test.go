package resolver_test

import (
	"context"
	"errors"
	"path"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/resolver"
)

// A cache on a read-only file system fails a resolve with an error that
// matches the errno.
func TestResolveReadOnlyCache(t *testing.T) {
	e := newEnv(t)
	_, tag := e.push(t, "sup:dev", fixture.Options{})
	dir := e.cache.Dir()
	mount(t, dir, dir, "", syscall.MS_BIND, "")
	mount(t, dir, dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, "")
	r := e.resolver(t, resolver.WithPlatform(fixture.HostPlatform()))
	if _, err := r.Resolve(context.Background(), tag); !errors.Is(err, syscall.EROFS) {
		t.Errorf("resolve into a read-only cache: %v, want an error matching EROFS", err)
	}
}

// A full file system fails the extraction with a *cache.WriteError that
// matches the errno.
func TestResolveDiskFull(t *testing.T) {
	e := newEnv(t)
	_, tag := e.push(t, "sup:dev", fixture.Options{Size: 4 << 20, Platforms: []v1.Platform{{OS: "linux", Architecture: path.Base(fixture.HostPlatform())}}})
	dir := t.TempDir()
	mount(t, "tmpfs", dir, "tmpfs", 0, "size=1m,mode=0755")
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.cache = c
	_, err = e.resolver(t, resolver.WithPlatform(fixture.HostPlatform())).Resolve(context.Background(), tag)
	var we *cache.WriteError
	if !errors.As(err, &we) || !errors.Is(err, syscall.ENOSPC) || we.Dir != dir {
		t.Fatalf("resolve into a full cache: %v, want a *cache.WriteError for %s matching ENOSPC", err, dir)
	}
}

func mount(t *testing.T, source, target, fstype string, flags uintptr, data string) {
	t.Helper()
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		t.Skipf("cannot mount %s on %s here: %v (needs root)", source, target, err)
	}
	if flags&syscall.MS_REMOUNT != 0 {
		return
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(target, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", target, err)
		}
	})
}
