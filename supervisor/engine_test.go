package supervisor

import (
	"context"
	"errors"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeRunner answers RunBinary with fixed output and error.
type fakeRunner struct {
	out  string
	err  error
	args []string
}

func (f *fakeRunner) RunBinary(_ context.Context, _ string, _ v1.Platform, args ...string) ([]byte, error) {
	f.args = args
	return []byte(f.out), f.err
}

func TestEngineProber(t *testing.T) {
	tests := []struct {
		name    string
		runner  *fakeRunner
		want    Version
		wantErr error
	}{
		{"version", &fakeRunner{out: "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n"}, Version{"0.0.47-dev.13+g57b71c68f", MethodEngine}, nil},
		{"junk", &fakeRunner{out: "hello\n"}, unknown, ErrUnknownVersion},
		{"exec format error", &fakeRunner{err: errors.New("exit status 1: exec format error")}, unknown, ErrUnknownVersion},
		{"no engine", &fakeRunner{err: ErrNotApplicable}, unknown, ErrNotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Engine(tc.runner, 0).Probe(context.Background(), Binary{Path: "/x/openshell-sandbox"})
			if v != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("got %v, %v; want %v, %v", v, err, tc.want, tc.wantErr)
			}
			if len(tc.runner.args) != 1 || tc.runner.args[0] != "--version" {
				t.Fatalf("ran with %q", tc.runner.args)
			}
		})
	}
}
