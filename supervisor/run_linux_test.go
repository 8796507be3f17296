package supervisor

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestRunTextBusy runs a binary while the test holds it open for writing,
// which makes exec fail with ETXTBSY.
func TestRunTextBusy(t *testing.T) {
	t.Parallel()
	path := copyAs(t, fakeSupervisor(t, runtimeArch(), testVersion), "openshell-sandbox")
	b := Binary{Path: path, Platform: linuxPlatform(runtimeArch())}

	// Released during the retries: the probe succeeds.
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(30*time.Millisecond, func() { w.Close() })
	got, err := Run(0).Probe(context.Background(), b)
	if err != nil || got.Version != testVersion {
		t.Errorf("Probe = %+v, %v; want %s after retrying", got, err, testVersion)
	}

	// Never released: the probe gives up with the ETXTBSY error.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	_, err = Run(0).Probe(context.Background(), b)
	if !errors.Is(err, syscall.ETXTBSY) || errors.Is(err, ErrUnknownVersion) || errors.Is(err, ErrNotApplicable) {
		t.Errorf("Probe error = %v, want a real ETXTBSY error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v", d)
	}
}
