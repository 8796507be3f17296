package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	var out, logs bytes.Buffer
	if err := run(context.Background(), false, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "level=") || !strings.Contains(logs.String(), "msg=extracted") {
		t.Errorf("log lines belong on the log writer:\nstdout:\n%s\nlogs:\n%s", out.String(), logs.String())
	}
	for _, want := range []string{
		"  version  0.0.47-dev.13 (learned by ",
		"  range    >=0.0.47-0 <0.1.0: compatible",
		"again      from cache, 0 registry requests, same path: true",
		"outside the required range \">=0.1.0\"",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
