package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/resolver"
)

// TestTwoSteps: the pin step writes the supervisor_image table with what
// each platform's binary is; the refresh step, from the pin, switches the
// link and writes the supervisor_bin table naming it.
func TestTwoSteps(t *testing.T) {
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	if err := run(context.Background(), options{rng: ">=0.0.47-0 <0.1.0", cacheDir: dir}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	pin, refresh, ok := strings.Cut(out.String(), "# Step 2")
	if !ok {
		t.Fatalf("no step 2:\n%s", out.String())
	}
	m := regexp.MustCompile(`(?m)^\[openshell\.drivers\.docker\]\nsupervisor_image = "(127\.0\.0\.1:\d+/openshell/supervisor@sha256:[0-9a-f]{64})"\n$`).FindStringSubmatch(pin)
	if m == nil {
		t.Fatalf("pin step:\n%s", pin)
	}
	for _, p := range []string{"linux/amd64: openshell-sandbox 0.0.47-dev.13+g57b71c68f", "linux/arm64: openshell-sandbox 0.0.47-dev.13+g57b71c68f"} {
		if !strings.Contains(pin, p) {
			t.Errorf("pin step lacks %q:\n%s", p, pin)
		}
	}
	link := filepath.Join(dir, "cache", "links", "gateway")
	if !strings.HasSuffix(refresh, "[openshell.drivers.docker]\nsupervisor_bin = \""+link+"\"\n") || !strings.Contains(refresh, "from "+m[1]) {
		t.Fatalf("refresh step:\n%s", refresh)
	}
	if _, err := filepath.EvalSymlinks(link); err != nil {
		t.Fatalf("the link: %v", err)
	}
}

// TestSteps: the pin step alone writes the supervisor_image table only; a
// release whose supervisor does not fit fails it.
func TestSteps(t *testing.T) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, options{step: "pin", rng: ">=0.1.0", cacheDir: t.TempDir()}, &out, &errOut); !errors.Is(err, resolver.ErrIncompatible) {
		t.Errorf("incompatible release: %v", err)
	}
	if err := run(ctx, options{rng: ">=0.0.47-0", out: "x.toml"}, &out, &errOut); err == nil {
		t.Error("-out without -step accepted")
	}
	dir := t.TempDir()
	pinOut := filepath.Join(dir, "pin.toml")
	if err := run(ctx, options{step: "pin", rng: ">=0.0.47-0 <0.1.0", cacheDir: dir, out: pinOut}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pinOut)
	if err != nil || !strings.Contains(string(b), "supervisor_image = ") || strings.Contains(string(b), "supervisor_bin") {
		t.Fatalf("pin.toml: %v\n%s", err, b)
	}
}
