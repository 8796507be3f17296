package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/internal/fixture"
	"github.com/openshell-contrib/supctl/internal/registrytest"
)

// supervisorMount is where OpenShell's Docker driver bind-mounts the
// supervisor in a sandbox (SUPERVISOR_CONTAINER_BINARY in openshell-core).
const supervisorMount = "/opt/openshell/bin/openshell-sandbox"

// TestLinkOnTheEngine: a gateway whose supervisor_bin is a link that
// "supctl pull --compat R --link gateway" keeps. The Docker driver
// resolves supervisor_bin when the gateway starts and bind-mounts that
// path into each sandbox (crates/openshell-driver-docker/src/lib.rs,
// resolve_supervisor_bin_source and build_binds); this test does the same
// on the machine's engine. A sandbox created before a switch runs the old
// binary, one created after the gateway's next start the new one, and the
// first, run again, still the old one. Across the tag's moves, out of the
// range and back, the link never names a binary outside the range, and gc
// keeps both binaries. A container that bind-mounts the link itself gets
// what the link names when it starts.
func TestLinkOnTheEngine(t *testing.T) {
	e := enginetest.Open(t)
	if e.Info().Arch != runtime.GOARCH {
		t.Skipf("the engine runs %s, this test builds %s binaries", e.Info().Platform(), runtime.GOARCH)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cli, err := client.New(client.WithHost(e.Endpoint().Host), client.WithAPIVersion(e.Info().APIVersion))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	img := importRootFS(ctx, t, cli)

	const rng = ">=0.0.47-0 <0.0.48-0"
	host := []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}
	reg := startRegistry(t, registrytest.Options{})
	u := newUser(t)
	_, ref := reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.13", Platforms: host})
	pull := func(want int) {
		t.Helper()
		if o := u.supctl(t, "pull", ref, "--pull", "always", "--compat", rng, "--link", "gateway"); o.code != want {
			t.Fatalf("want exit %d:\n%s", want, o)
		}
	}
	pull(0)
	link := filepath.Join(u.cache, "links", "gateway")

	// The gateway starts: it canonicalizes supervisor_bin, once.
	gw1 := canonical(t, link)
	a := createSandbox(ctx, t, cli, img, gw1)
	raw := createSandbox(ctx, t, cli, img, link) // the link itself as the source
	runSandbox(ctx, t, cli, a, "0.0.47-dev.13")
	runSandbox(ctx, t, cli, raw, "0.0.47-dev.13")

	// Watch the link while the tag moves out of the range and back.
	seen := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if p, err := filepath.EvalSymlinks(link); err == nil {
				seen[p] = true
			} else {
				seen["error: "+err.Error()] = true
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: "0.0.48", Platforms: host})
	pull(3)
	reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: "0.0.37-dev.160", Platforms: host})
	pull(3)
	if got := canonical(t, link); got != gw1 {
		t.Fatalf("a refused pull moved the link to %s", got)
	}
	reg.push(t, "openshell/supervisor:dev", fixture.Options{Version: "0.0.47-dev.20", Platforms: host})
	pull(0)
	close(stop)
	wg.Wait()
	r := compat.MustParse(rng)
	for p := range seen {
		v := entryVersion(t, p)
		if ok, _ := r.Contains(v); !ok {
			t.Errorf("the link named %s, version %q, outside %s", p, v, rng)
		}
	}
	if len(seen) != 2 {
		t.Errorf("the link named %d binaries, want 2: %v", len(seen), seen)
	}

	// The gateway starts again: new sandboxes get the new binary; the old
	// sandbox keeps its own, restarts included, and so after a gc.
	gw2 := canonical(t, link)
	if gw2 == gw1 {
		t.Fatal("the link was not switched")
	}
	b := createSandbox(ctx, t, cli, img, gw2)
	runSandbox(ctx, t, cli, b, "0.0.47-dev.20")
	runSandbox(ctx, t, cli, a, "0.0.47-dev.13")
	if o := u.supctl(t, "gc", "--max-unused", "0"); o.code != 0 || !strings.Contains(o.stdout, "0.0.48") || strings.Contains(o.stdout, "0.0.47-dev") {
		t.Fatalf("gc:\n%s", o)
	}
	runSandbox(ctx, t, cli, a, "0.0.47-dev.13")
	runSandbox(ctx, t, cli, b, "0.0.47-dev.20")
	// Docker resolves a symbolic link source when it mounts it, at each
	// start: a container that mounts the link itself follows the switch.
	// (What the driver does, above, does not depend on it.)
	if e.Info().Product == engine.ProductPodman {
		t.Logf("not checked on %s: a container that mounts the link itself", e.Info().Product)
		return
	}
	runSandbox(ctx, t, cli, raw, "0.0.47-dev.20")
}

// canonical is what the Docker driver does with supervisor_bin when the
// gateway starts: the path with every symbolic link resolved.
func canonical(t *testing.T, p string) string {
	t.Helper()
	c, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// entryVersion is the version the record beside the binary at p holds.
func entryVersion(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(p), "entry.json"))
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	var rec struct{ Version string }
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Version
}

// importRootFS imports, as "docker import" does, a root file system made
// here: the directories of the supervisor's mount point and /tmp. It is
// removed at the end of the test.
func importRootFS(ctx context.Context, t *testing.T, cli *client.Client) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"opt/", "opt/openshell/", "opt/openshell/bin/", "tmp/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	const ref = "supctl-test-link:1"
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: &buf, SourceName: "-"}, ref, client.ImageImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := readAll(res)
	res.Close()
	if strings.Contains(out, `"error"`) {
		t.Fatalf("import: %s", out)
	}
	t.Cleanup(func() { cli.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: true}) })
	return ref
}

func readAll(r interface{ Read([]byte) (int, error) }) (string, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.String(), err
}

// createSandbox creates, without starting it, a container of img that
// bind-mounts src read-only at the supervisor's path and runs it with
// --version, as the Docker driver's bind does ("src:dst:ro").
func createSandbox(ctx context.Context, t *testing.T, cli *client.Client, img, src string) string {
	t.Helper()
	c, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: img, Entrypoint: []string{supervisorMount}, Cmd: []string{"--version"},
			Labels: map[string]string{"org.openshell.supctl.test": "link"}},
		HostConfig: &container.HostConfig{Binds: []string{src + ":" + supervisorMount + ":ro"}, NetworkMode: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.ContainerRemove(context.Background(), c.ID, client.ContainerRemoveOptions{Force: true})
	})
	return c.ID
}

// runSandbox starts the container id, waits for it to exit and checks the
// version its last run printed.
func runSandbox(ctx context.Context, t *testing.T, cli *client.Client, id, want string) {
	t.Helper()
	wait := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-wait.Result:
		if w.StatusCode != 0 {
			t.Fatalf("container %.12s exited %d", id, w.StatusCode)
		}
	case err := <-wait.Error:
		t.Fatal(err)
	}
	logs, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	var out, errOut bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &errOut, logs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if got := lines[len(lines)-1]; got != "openshell-sandbox "+want {
		t.Fatalf("container %.12s printed %q in its last run, want version %s (stderr %q)", id, got, want, errOut.String())
	}
}
