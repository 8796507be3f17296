package supervisor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

// An EnvProber is a [Prober] whose answer for a binary depends on this
// host's surroundings, which can change while the binary does not: an
// engine started or stopped, an emulator registered. ProbeEnv describes
// them for b, cheaply and without running anything; an answer recorded
// under one description holds while ProbeEnv still returns it. A prober
// that is not an EnvProber depends on the binary's bytes alone.
type EnvProber interface {
	Prober
	ProbeEnv(b Binary) string
}

// ProbeEnv is p's [EnvProber.ProbeEnv] for b, or "" when p depends on the
// binary's bytes alone.
func ProbeEnv(p Prober, b Binary) string {
	if e, ok := p.(EnvProber); ok {
		return e.ProbeEnv(b)
	}
	return ""
}

// MethodOf names the method of p, as an [Attempt] of it would.
func MethodOf(p Prober) Method { return methodOf(p) }

// ProbeEnv describes what running b here depends on: this host's
// architecture and user, and for a binary of another architecture the
// binfmt_misc handlers registered (a qemu-user handler installed since
// makes b runnable).
func (p RunProber) ProbeEnv(b Binary) string {
	env := fmt.Sprintf("%s/%s uid=%d", runtime.GOOS, runtime.GOARCH, os.Geteuid())
	if b.Platform.Architecture == runtime.GOARCH || runtime.GOOS != "linux" {
		return env
	}
	dir := p.binfmtDir
	if dir == "" {
		dir = BinfmtDir
	}
	return env + " " + binfmtEnv(dir)
}

// binfmtEnv describes the binfmt_misc handlers registered in dir: their
// number and a digest of what they are.
func binfmtEnv(dir string) string {
	hs, why := binfmtHandlers(dir)
	if why != "" {
		return "binfmt: " + why
	}
	lines := make([]string, len(hs))
	for i, h := range hs {
		lines[i] = fmt.Sprintf("%s %s %s %d %x %x", h.name, h.interpreter, h.flags, h.offset, h.magic, h.mask)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return fmt.Sprintf("binfmt: %d handlers %s", len(hs), hex.EncodeToString(sum[:8]))
}

// ProbeEnv describes the engine the prober would run b in: its runner's
// description when it has one (the engine package's says which endpoint
// would be used and whether something listens there), "no engine" when
// there is no runner; for a binary of another architecture than this
// host's, also this host's binfmt_misc handlers, which a local engine's
// containers use too.
func (e engineProber) ProbeEnv(b Binary) string {
	if e.runner == nil {
		return "no engine"
	}
	env := ""
	if d, ok := e.runner.(interface{ ProbeEnv() string }); ok {
		env = d.ProbeEnv()
	}
	if b.Platform.Architecture != runtime.GOARCH && runtime.GOOS == "linux" {
		env += " host " + binfmtEnv(BinfmtDir)
	}
	return env
}

// runsBinary reports whether method m learns a version by running the
// binary (here or in an engine), rather than by reading it.
func runsBinary(m Method) bool { return m == MethodRun || m == MethodEngine }
