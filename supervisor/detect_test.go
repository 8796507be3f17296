package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// fakeProber answers with v and err and counts its calls.
type fakeProber struct {
	v      Version
	err    error
	calls  int
	method Method // "" is "fake"
}

func (p *fakeProber) Probe(context.Context, Binary) (Version, error) {
	p.calls++
	return p.v, p.err
}

func TestDetect(t *testing.T) {
	sure := func(v string, s Method) *fakeProber { return &fakeProber{v: Version{v, s}} }
	unsure := func() *fakeProber { return &fakeProber{v: unknown, err: fmt.Errorf("x: %w", ErrUnknownVersion)} }
	notHere := func() *fakeProber { return &fakeProber{v: unknown, err: fmt.Errorf("x: %w", ErrNotApplicable)} }
	broken := errors.New("disk on fire")

	tests := []struct {
		name    string
		probers []*fakeProber
		want    Version
		wantErr error
		calls   []int
	}{
		{"first sure wins", []*fakeProber{sure("1.0.0", MethodRun), sure("2.0.0", MethodBuildInfo)}, Version{"1.0.0", MethodRun}, nil, []int{1, 0}},
		{"unsure ones are passed over", []*fakeProber{notHere(), unsure(), sure("2.0.0", MethodELFString)}, Version{"2.0.0", MethodELFString}, nil, []int{1, 1, 1}},
		{"all unsure", []*fakeProber{notHere(), unsure()}, unknown, nil, []int{1, 1}},
		{"real error stops", []*fakeProber{unsure(), {v: unknown, err: broken}, sure("1.0.0", MethodRun)}, unknown, broken, []int{1, 1, 0}},
		{"bad answer", []*fakeProber{sure("1.0", MethodRun)}, unknown, errAny, []int{1}},
		{"answer without source", []*fakeProber{sure("1.0.0", "")}, unknown, errAny, []int{1}},
		// A binary that ran without answering is not run again by another
		// method that runs it; one that could not run here is.
		{"ran without answer: not run again", []*fakeProber{runs(MethodRun, unsure()), runs(MethodEngine, sure("1.0.0", MethodEngine)), sure("2.0.0", MethodELFString)},
			Version{"2.0.0", MethodELFString}, nil, []int{1, 0, 1}},
		{"could not run here: run elsewhere", []*fakeProber{runs(MethodRun, notHere()), runs(MethodEngine, sure("1.0.0", MethodEngine))},
			Version{"1.0.0", MethodEngine}, nil, []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := make([]Prober, len(tt.probers))
			for i, p := range tt.probers {
				ps[i] = p
			}
			got, err := Detect(context.Background(), Binary{}, ps...)
			switch {
			case tt.wantErr == errAny && err == nil, tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("Detect error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Detect = %+v, want %+v", got, tt.want)
			}
			for i, p := range tt.probers {
				if p.calls != tt.calls[i] {
					t.Errorf("prober %d called %d times, want %d", i, p.calls, tt.calls[i])
				}
			}
		})
	}
}

var errAny = errors.New("any error")

// runs makes p a prober of method m.
func runs(m Method, p *fakeProber) *fakeProber { p.method = m; return p }

func (p *fakeProber) Method() Method {
	if p.method == "" {
		return "fake"
	}
	return p.method
}

func TestDetectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := &fakeProber{v: Version{"1.0.0", MethodRun}}
	if _, err := Detect(ctx, Binary{}, p); !errors.Is(err, context.Canceled) || p.calls != 0 {
		t.Errorf("Detect = %v after %d calls, want context.Canceled before any", err, p.calls)
	}
}

func TestDetectDefaultProbers(t *testing.T) {
	// A text file: not executable, not Go, not ELF. Every default prober
	// passes, so the version is unknown without an error.
	b := Binary{Path: writeFile(t, []byte("openshell-sandbox 0.0.47\n")), Platform: linuxPlatform(runtimeArch())}
	got, err := Detect(context.Background(), b)
	if err != nil || got != unknown {
		t.Errorf("Detect(text file) = %+v, %v; want unknown, nil", got, err)
	}
	// A missing file is a real error.
	b.Path += ".missing"
	if _, err := Detect(context.Background(), b); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Detect(missing file) error = %v, want fs.ErrNotExist", err)
	}
}

func TestDefaultProbersOrder(t *testing.T) {
	ps := DefaultProbers()
	if len(ps) != 3 {
		t.Fatalf("DefaultProbers has %d probers", len(ps))
	}
	if r, ok := ps[0].(RunProber); !ok || r.Timeout != 0 {
		t.Errorf("first prober is %#v, want RunProber with the default timeout", ps[0])
	}
	if ps[1] != BuildInfo() || ps[2] != ELFString() {
		t.Errorf("probers are %#v, want Run, BuildInfo, ELFString", ps)
	}
}
