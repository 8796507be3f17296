package resolver_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
	"github.com/openshell-contrib/supctl/resolver"
)

// TestSingleManifestPlatform: a single-manifest image is for the platform
// of its config, on every path: cold and warm, by tag and by digest, under
// --pull always too. A mismatch names what the image has.
func TestSingleManifestPlatform(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	img, err := fixture.BuildImage(ctx, fixture.Options{BuildDir: t.TempDir()}, v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	tag := e.reg.Host() + "/single:dev"
	if err := fixture.PushImage(ctx, tag, img.Image); err != nil {
		t.Fatal(err)
	}
	byDigest := e.reg.Host() + "/single@" + mustDigest(img).String()
	wantMismatch := func(t *testing.T, err error) {
		t.Helper()
		var pe *resolver.PlatformError
		if !errors.As(err, &pe) || !errors.Is(err, resolver.ErrNotFound) || pe.Want != "linux/arm64" || !reflect.DeepEqual(pe.Have, []string{"linux/amd64"}) {
			t.Fatalf("got %v, want a PlatformError: linux/arm64 asked, linux/amd64 had", err)
		}
	}
	arm := func(o ...resolver.Option) *resolver.Resolver {
		return e.resolver(t, append([]resolver.Option{resolver.WithPlatform("linux/arm64")}, o...)...)
	}
	t.Run("cold by tag", func(t *testing.T) {
		_, err := arm().Resolve(ctx, tag)
		wantMismatch(t, err)
	})
	t.Run("cold by digest", func(t *testing.T) {
		_, err := arm().Resolve(ctx, byDigest)
		wantMismatch(t, err)
	})
	res, err := e.resolver(t, resolver.WithPlatform("linux/amd64")).Resolve(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	if res.Platform != "linux/amd64" {
		t.Errorf("recorded platform %q, want the config's linux/amd64", res.Platform)
	}
	for _, tc := range []struct {
		name string
		ref  string
		opts []resolver.Option
	}{
		{"warm by tag", tag, nil},
		{"warm by digest", byDigest, nil},
		{"warm by tag, pull always", tag, []resolver.Option{resolver.WithPullPolicy(resolver.PullAlways)}},
		{"warm by digest, pull always", byDigest, []resolver.Option{resolver.WithPullPolicy(resolver.PullAlways)}},
		{"warm by tag, pull never", tag, []resolver.Option{resolver.WithPullPolicy(resolver.PullNever)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := arm(tc.opts...).Resolve(ctx, tc.ref)
			wantMismatch(t, err)
		})
	}
}

// TestPinAlwaysAsksTheRegistry: with the registry down, pin fails as
// unreachable even though the tag is recorded and its binaries cached; with
// it up, a tag that moved is pinned at its new digest whatever the record's
// age.
func TestPinAlwaysAsksTheRegistry(t *testing.T) {
	ctx := context.Background()
	fe := newFaultEnv(t)
	r := fe.resolver(t)
	if _, err := r.Pin(ctx, fe.ref); err != nil {
		t.Fatal(err)
	}
	fe.fault.On(func(*http.Request) bool { return true }, 0, registrytest.Status(http.StatusServiceUnavailable))
	if _, err := r.Pin(ctx, fe.ref); !errors.Is(err, resolver.ErrUnreachable) {
		t.Fatalf("pin with the registry down: got %v, want %v", err, resolver.ErrUnreachable)
	}
	fe.fault.Reset()

	next, err := fixture.Build(ctx, fixture.Options{BuildDir: t.TempDir(), Version: "0.0.48"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fixture.Push(ctx, fe.ref, next.Index); err != nil {
		t.Fatal(err)
	}
	want, err := next.Index.Digest()
	if err != nil {
		t.Fatal(err)
	}
	pin, err := r.Pin(ctx, fe.ref) // the record is seconds old: fresh, but not trusted
	if err != nil || pin.Digest.String() != want.String() {
		t.Fatalf("got %+v, %v; want the new digest %s", pin, err, want)
	}
}

// TestPinThroughAMirror: with the origin failing, pin asks the mirror.
func TestPinThroughAMirror(t *testing.T) {
	ctx := context.Background()
	origin, mirror := newFaultEnv(t), newFaultEnv(t) // the same image under the same name
	origin.fault.On(func(*http.Request) bool { return true }, 0, registrytest.Status(http.StatusServiceUnavailable))
	pin, err := origin.resolver(t, resolver.WithTransport(http.DefaultTransport),
		resolver.WithMirror(origin.fault.Host(), mirror.fault.Host())).Pin(ctx, origin.ref)
	want, _ := mirror.b.Index.Digest()
	if err != nil || pin.Digest.String() != want.String() || pin.Ref != origin.ref {
		t.Fatalf("got %+v, %v; want the pin of %s at %s", pin, err, origin.ref, want)
	}
}
