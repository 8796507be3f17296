package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/engine"
)

func TestStartup(t *testing.T) {
	var out, logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if err := run(context.Background(), driverConfig{}, log, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "--mount type=bind,src=/") {
		t.Errorf("mount: %q", out.String())
	}
	// The smoke run: the supervisor's own version line, from a container.
	if d := engine.Diagnose(context.Background()); d.Err == nil || os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
		if !strings.Contains(out.String(), "\nopenshell-sandbox 0.0.47-dev.13+g57b71c68f\n") || !strings.Contains(logs.String(), `msg="smoke run"`) {
			t.Errorf("no smoke run output (engine: %v):\n%s\n%s", d.Err, out.String(), logs.String())
		}
	}
	for _, want := range []string{`msg="supervisor selected"`, "digest=sha256:", "version=0.0.47-dev.13+g57b71c68f", "version_source=run"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("startup log lacks %q:\n%s", want, logs.String())
		}
	}
}
