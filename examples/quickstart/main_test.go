package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), false, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  version  0.0.47-dev.13+g57b71c68f",
		"  range    >=0.0.47-0 <0.1.0: compatible",
		"again      from cache, 0 registry requests, same path: true",
		"outside the required range \">=0.1.0\"",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
