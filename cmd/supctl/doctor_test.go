package main

import (
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/engine"
)

// TestDoctor runs "supctl doctor" against this machine's engine and
// against a dead DOCKER_HOST.
func TestDoctor(t *testing.T) {
	isolate(t)
	if d := engine.Diagnose(t.Context()); d.Err != nil {
		if os.Getenv("SUPCTL_REQUIRE_ENGINE") == "1" {
			t.Fatalf("no container engine, and SUPCTL_REQUIRE_ENGINE=1: %v", d.Err)
		}
		t.Skipf("no container engine: %v", d.Err)
	}
	code, out, errOut := supctl(t, "doctor")
	if code != 0 || !strings.Contains(out, "engine: ") || !strings.Contains(out, "ok: no problems found") {
		t.Fatalf("healthy: exit %d\n%s%s", code, out, errOut)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "tcp://" + l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_HOST", dead)
	code, out, errOut = supctl(t, "doctor", "--json")
	var rep struct {
		Engine struct {
			Endpoint struct{ Host, Source string }
			Error    string
		}
		Problems []struct{ Area, Severity, Message, Fix string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if code != exitFailure || rep.Engine.Endpoint.Host != dead || rep.Engine.Endpoint.Source != "DOCKER_HOST" || len(rep.Problems) == 0 ||
		!strings.Contains(rep.Problems[0].Fix, "DOCKER_HOST") || !strings.Contains(errOut, "doctor found 1 problem") {
		t.Fatalf("dead DOCKER_HOST: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := supctl(t, "doctor", "a", "b"); code != exitUsage {
		t.Fatalf("two refs: exit %d", code)
	}
}
