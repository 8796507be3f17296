package supervisor

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// An Attempt is one method [DetectTried] tried that could not answer.
type Attempt struct {
	Method Method `json:"method"` // e.g. MethodRun, MethodEngine
	// NotApplicable is true when the method cannot work on this host or
	// binary ([ErrNotApplicable]), false when it worked but was not sure
	// ([ErrUnknownVersion]).
	NotApplicable bool   `json:"not_applicable"`
	Reason        string `json:"reason"`        // the prober's error
	Fix           string `json:"fix,omitempty"` // what would let it answer, if anything
}

// String is, for example, "run: not applicable: ...; fix: ...".
func (a Attempt) String() string {
	s := string(a.Method) + ": " + a.Reason
	if a.Fix != "" {
		s += " (to fix: " + a.Fix + ")"
	}
	return s
}

func attempt(m Method, err error, path string, p v1.Platform) Attempt {
	a := Attempt{Method: m, NotApplicable: errors.Is(err, ErrNotApplicable), Reason: reason(err, path)}
	arch := p.Architecture
	foreign := arch != "" && arch != runtime.GOARCH
	switch {
	case m == MethodRun && a.NotApplicable && runtime.GOOS == "linux" && foreign:
		a.Fix = fmt.Sprintf("install qemu-user-static and register its binfmt_misc handler for linux/%s with the F flag, "+
			"as Debian's package does, so this host runs it confined", arch)
	case m == MethodRun && a.NotApplicable && runtime.GOOS == "linux" && strings.Contains(a.Reason, "namespace"):
		a.Fix = "allow user namespaces (sysctl user.max_user_namespaces), or run as root, which confines the run as nobody"
	// The engine's errors say themselves what would fix them (start one,
	// point DOCKER_HOST at one, register an emulator on its host).
	case m == MethodELFString && !a.NotApplicable:
		a.Fix = "a supervisor build that embeds the version marker the README describes"
	}
	// An error that knows its own fix (the engine's do) says it best.
	var f interface{ Fix() string }
	if errors.As(err, &f) && f.Fix() != "" {
		a.Fix = f.Fix()
	}
	return a
}

// reason is err's message without this package's sentinel texts, and
// with path, which the caller knows, said as "it".
func reason(err error, path string) string {
	msg := err.Error()
	for _, e := range []error{ErrNotApplicable, ErrUnknownVersion} {
		s := e.Error()
		msg = strings.ReplaceAll(msg, s+": ", "")
		msg = strings.ReplaceAll(msg, ": "+s, "")
	}
	if path != "" {
		msg = strings.ReplaceAll(msg, path+": ", "")
		msg = strings.ReplaceAll(msg, path, "it")
	}
	return msg
}

// Explain describes an unknown version for an error message: the methods
// tried, why each could not answer and what would fix them, for example
// "tried: run: cannot run ... (to fix: install ...); elf-string: ...".
func Explain(tried []Attempt) string {
	if len(tried) == 0 {
		return "no method was tried"
	}
	parts := make([]string, len(tried))
	for i, a := range tried {
		parts[i] = a.String()
	}
	return "tried " + strings.Join(parts, "; ")
}
