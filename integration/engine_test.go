package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/openshell-contrib/supctl/internal/enginetest"
	"github.com/openshell-contrib/supctl/internal/fixture"
)

// TestDoctorContext: the doctor names the Docker context that chose a
// dead endpoint, and exits 1; with no context it finds the machine's
// engine and exits 0.
func TestDoctorContext(t *testing.T) {
	enginetest.Open(t)
	u := newUser(t)
	if o := u.supctl(t, "doctor"); o.code != 0 || !strings.Contains(o.stdout, "ok: no problems found") {
		t.Fatalf("healthy:\n%s", o)
	}
	const ctxName = "desktop-linux"
	os.WriteFile(filepath.Join(u.dockerConfig, "config.json"), []byte(`{"currentContext":"`+ctxName+`"}`), 0o600)
	sum := sha256.Sum256([]byte(ctxName))
	meta := filepath.Join(u.dockerConfig, "contexts", "meta", hex.EncodeToString(sum[:]))
	os.MkdirAll(meta, 0o700)
	dead := filepath.Join(u.home, ".docker", "run", "docker.sock")
	os.WriteFile(filepath.Join(meta, "meta.json"), []byte(`{"Name":"`+ctxName+`","Endpoints":{"docker":{"Host":"unix://`+dead+`"}}}`), 0o600)
	o := u.supctl(t, "doctor", "--json")
	var rep struct {
		Engine struct {
			Endpoint struct{ Host, Source, Context string }
		}
		Problems []struct{ Area, Severity, Message, Fix string }
	}
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, o)
	}
	if o.code != 1 || rep.Engine.Endpoint.Source != "context" || rep.Engine.Endpoint.Context != ctxName ||
		len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0].Message, `Docker context "desktop-linux"`) || !strings.Contains(rep.Problems[0].Fix, "docker context use") {
		t.Fatalf("dead context:\n%s", o)
	}
}

// TestPullLocalImage: "supctl pull --source engine" takes an image built
// in the engine and never pushed.
func TestPullLocalImage(t *testing.T) {
	e := enginetest.Open(t)
	ctx := context.Background()
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	img, err := fixture.ScratchImage(ctx, p, "0.0.47-dev.21")
	if err != nil {
		t.Fatal(err)
	}
	ref := "supctl-test-integration/supervisor:dev"
	tag, _ := name.NewTag(ref)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	if err := e.LoadImage(ctx, pr); err != nil {
		t.Fatal(err)
	}
	local, err := e.Image(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.RemoveImage(context.Background(), local.ID) })
	u := newUser(t)
	res, o := u.pullJSON(t, "--source", "engine", ref)
	if res.ResolvedFrom != "engine" || res.Version != "0.0.47-dev.21" || res.Digest != local.ID || !res.Extracted {
		t.Fatalf("pull --source engine:\n%s", o)
	}
	if o := u.supctl(t, "pull", "--source", "engine", "supctl-test-integration/absent:dev"); o.code != 4 {
		t.Fatalf("absent local image: want exit 4:\n%s", o)
	}
}
