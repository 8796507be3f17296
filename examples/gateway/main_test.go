package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
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
	for _, want := range []string{`msg="supervisor selected"`, "digest=sha256:", "version=0.0.47-dev.13+g57b71c68f", "version_source=run"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("startup log lacks %q:\n%s", want, logs.String())
		}
	}
}
