package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestPinStep(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), "", ">=0.0.47-0 <0.1.0", "", t.TempDir(), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !regexp.MustCompile(`(?m)^\[openshell\.drivers\.docker\]\nsupervisor_image = "127\.0\.0\.1:\d+/openshell/supervisor@sha256:[0-9a-f]{64}"\n$`).MatchString(s) {
		t.Errorf("snippet:\n%s", s)
	}
	for _, p := range []string{"linux/amd64: openshell-sandbox 0.0.47-dev.13+g57b71c68f", "linux/arm64: openshell-sandbox 0.0.47-dev.13+g57b71c68f"} {
		if !strings.Contains(s, p) {
			t.Errorf("snippet lacks %q:\n%s", p, s)
		}
	}
	// A release whose supervisor does not fit fails the step.
	if err := run(context.Background(), "", ">=0.1.0", "", t.TempDir(), &out, &errOut); err == nil || !strings.Contains(err.Error(), "outside the required range") {
		t.Errorf("incompatible release: %v", err)
	}
}
