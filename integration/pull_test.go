package integration

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// TestPullMatrix pulls images supctl has never seen (versions, binary
// sizes, layer counts, compressions, layouts, platforms, floating tags and
// digests) cold with plain output, cold with --json, then warm, and checks
// what a user relies on: the printed path, the bytes and mode of the file
// there, every field of the JSON document, and which blobs were fetched.
func TestPullMatrix(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name        string
		version     string
		platform    string // --platform; "" for the default, linux/<host arch>
		layout      fixture.Layout
		above       int // fixture.Options.LayersAbove
		compression fixture.Compression
		size        int64
		tag         string // "" to pull by the index digest
	}{
		{"dev/top/gzip", versionA, "linux/amd64", fixture.BinaryOnTop, 0, fixture.Gzip, 0, "dev"},
		{"prerelease-tag/top/zstd/no-plain-layers/arm64", versionB, "linux/arm64", fixture.BinaryOnTop, -1, fixture.Zstd, 0, "0.0.47-dev.12"},
		{"latest/base/zstd/3-above/6MiB", versionC, "linux/amd64", fixture.BinaryInBase, 3, fixture.Zstd, 6 * mib, "latest"},
		{"digest/base/gzip/arm64", versionD, "linux/arm64", fixture.BinaryInBase, 0, fixture.Gzip, 0, ""},
		{"digest/top/zstd/3-above/6MiB/default-platform", versionA, "", fixture.BinaryOnTop, 3, fixture.Zstd, 6 * mib, ""},
		{"latest/top/gzip/3-above/arm64", versionC, "linux/arm64", fixture.BinaryOnTop, 3, fixture.Gzip, 0, "latest"},
		{"dev/base/gzip/no-plain-layers", versionD, "linux/amd64", fixture.BinaryInBase, -1, fixture.Gzip, 0, "dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := startRegistry(t, registrytest.Options{})
			b, ref := reg.push(t, "openshell/supervisor:"+orDefault(tc.tag, "pushed"), fixture.Options{
				Version: tc.version, Layout: tc.layout, LayersAbove: tc.above, Compression: tc.compression, Size: tc.size,
			})
			idx := indexDigest(t, b)
			if tc.tag == "" {
				ref = reg.Host() + "/openshell/supervisor@" + idx
			}
			platform := orDefault(tc.platform, "linux/"+runtime.GOARCH)
			im := b.Images[platform]
			md := manifestDigest(t, im)
			wantV, wantSrc := wantVersion(t, im, tc.version)
			var args []string
			if tc.platform != "" {
				args = append(args, "--platform", tc.platform)
			}
			u := newUser(t)

			// Cold, plain output, the cache named by --cache-dir (which
			// wins over SUPCTL_CACHE_DIR).
			flagCache := t.TempDir()
			var (
				path string
				o    outcome
			)
			reqs := reg.during(t, func() {
				path, o = u.pullPath(t, append([]string{"--cache-dir", flagCache, ref}, args...)...)
			})
			if o.stderr != "" {
				t.Errorf("a successful pull at the default log level wrote on stderr: %q", o.stderr)
			}
			checkBinary(t, path, flagCache, im)
			if n := len(entryDirs(t, u.cache)); n != 0 {
				t.Errorf("--cache-dir %s was given, yet SUPCTL_CACHE_DIR holds %d entries", flagCache, n)
			}
			checkLayersFetched(t, reqs, im)

			// Cold, --json, the cache named by SUPCTL_CACHE_DIR.
			var cold pullResult
			start := time.Now()
			reqs = reg.during(t, func() { cold, _ = u.pullJSON(t, append([]string{ref}, args...)...) })
			checkBinary(t, cold.Path, u.cache, im)
			checkLayersFetched(t, reqs, im)
			want := pullResult{
				Ref: ref, Digest: md, IndexDigest: idx, Platform: platform, Path: cold.Path,
				Version: wantV, VersionSource: wantSrc, BinarySHA256: im.BinaryDigest.Hex, Size: fileSize(t, im.Binary),
				ResolvedFrom: "registry", Extracted: true, CheckedAt: cold.CheckedAt,
			}
			if cold != want {
				t.Errorf("cold pull --json:\n got %+v\nwant %+v", cold, want)
			}
			if filepath.Dir(cold.Path) != filepath.Join(u.cache, "entries", "sha256-"+strings.TrimPrefix(md, "sha256:")) {
				t.Errorf("binary %s is not in the entry named by the manifest digest %s", cold.Path, md)
			}
			if cold.CheckedAt.Before(start.Add(-time.Second)) || cold.CheckedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("checked_at %v is not the time of the pull (%v)", cold.CheckedAt, start)
			}

			// Warm: no request at all, the same file, from the cache.
			var warm pullResult
			reqs = reg.during(t, func() { warm, _ = u.pullJSON(t, append([]string{ref}, args...)...) })
			if len(reqs) != 0 {
				t.Errorf("warm pull sent %d requests, want none:\n%s", len(reqs), registrytest.FormatRequests(reqs))
			}
			want.ResolvedFrom, want.Extracted = "cache", false
			if !warm.CheckedAt.Equal(cold.CheckedAt) {
				t.Errorf("warm pull: checked_at %v, want the cold pull's %v", warm.CheckedAt, cold.CheckedAt)
			}
			want.CheckedAt = warm.CheckedAt
			if warm != want {
				t.Errorf("warm pull --json:\n got %+v\nwant %+v", warm, want)
			}
			checkBinary(t, warm.Path, u.cache, im)
		})
	}
}

// checkLayersFetched checks that a cold pull of im fetched each layer from
// the top down to the binary's exactly once, and no other blob: not the
// layers below, not the config.
func checkLayersFetched(t *testing.T, reqs []registrytest.Request, im *fixture.BuiltImage) {
	t.Helper()
	gets := blobGets(reqs)
	total := 0
	for i, l := range im.Layers {
		want := 0
		if i >= im.BinaryLayer {
			want = 1
		}
		total += want
		if gets[l.String()] != want {
			t.Errorf("layer %d of %d (%s) was fetched %d times, want %d", i, len(im.Layers), l, gets[l.String()], want)
		}
	}
	if n := countKind(reqs, "GET", registrytest.KindBlob); n != total {
		t.Errorf("%d blob GETs, want %d:\n%s", n, total, registrytest.FormatRequests(reqs))
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestPullCacheDirs checks where the cache is: --cache-dir, else
// SUPCTL_CACHE_DIR (the other tests), else $XDG_DATA_HOME/openshell/
// docker-supervisor, else ~/.local/share/openshell/docker-supervisor.
func TestPullCacheDirs(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, registrytest.Options{})
	b, ref := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: versionB})
	im := b.Images["linux/amd64"]

	u := newUser(t)
	u.cache = ""
	path, _ := u.pullPath(t, ref, "--platform", "linux/amd64")
	checkBinary(t, path, filepath.Join(u.home, ".local", "share", "openshell", "docker-supervisor"), im)

	xdg := t.TempDir()
	u = u.withEnv("XDG_DATA_HOME=" + xdg)
	path, _ = u.pullPath(t, ref, "--platform", "linux/amd64")
	checkBinary(t, path, filepath.Join(xdg, "openshell", "docker-supervisor"), im)

	flag := t.TempDir()
	u = u.withEnv("SUPCTL_CACHE_DIR=" + t.TempDir())
	path, _ = u.pullPath(t, ref, "--platform", "linux/amd64", "--cache-dir", flag)
	checkBinary(t, path, flag, im)
}
