package supervisor

import (
	"context"
	"testing"
)

// BenchmarkRunConfined measures one confined --version run of a small Go
// binary, start to finish: the cost a pull pays when it runs the binary.
func BenchmarkRunConfined(b *testing.B) {
	path := fakeSupervisor(b, runtimeArch(), testVersion)
	bin := Binary{Path: path, Platform: linuxPlatform(runtimeArch())}
	for b.Loop() {
		if _, err := Run(0).Probe(context.Background(), bin); err != nil {
			b.Fatal(err)
		}
	}
}
