package supervisor

import (
	"debug/elf"
	"errors"
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/internal/shorten"
)

var (
	// ErrNotELF reports a file that is not an ELF file, or whose ELF
	// header is truncated or malformed.
	ErrNotELF = errors.New("not an ELF file")

	// ErrNotExecutable reports an ELF file that is not an executable (for
	// example a relocatable object or a core dump).
	ErrNotExecutable = errors.New("not an ELF executable")

	// ErrWrongMachine reports an ELF executable built for another
	// architecture than the platform asks for. Every [*MachineError] is
	// one.
	ErrWrongMachine = errors.New("wrong machine")

	// ErrUnsupportedPlatform reports a platform this package cannot check:
	// an OS other than "linux" or an architecture it does not know.
	ErrUnsupportedPlatform = errors.New("unsupported platform")

	// ErrUnknownVersion reports that a [Prober] could not be sure of a
	// binary's version. [Detect] moves on to the next prober.
	ErrUnknownVersion = errors.New("version unknown")

	// ErrNotApplicable reports that a [Prober] cannot be used on this
	// host or this binary, for example [Run] on a binary for another
	// architecture. [Detect] moves on to the next prober.
	ErrNotApplicable = errors.New("prober not applicable")
)

// MachineError reports an ELF executable whose machine, class or byte order
// does not match the platform it was meant for.
type MachineError struct {
	Path     string      // the file, if known
	Platform string      // the platform the file was meant for, e.g. "linux/amd64"
	Want     elf.Machine // the machine the platform needs
	Got      elf.Machine // the machine in the file's header

	WantClass, GotClass elf.Class // 32- or 64-bit
	WantData, GotData   elf.Data  // byte order
}

// Error says what the file is, what the platform needs and what to do.
func (e *MachineError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		fmt.Fprintf(&b, "%s is", e.Path)
	} else {
		b.WriteString("the binary is")
	}
	fmt.Fprintf(&b, " an ELF for %v (%s), but platform %s needs %v (%s)",
		e.Got, layout(e.GotClass, e.GotData), e.Platform, e.Want, layout(e.WantClass, e.WantData))
	fmt.Fprintf(&b, ": use a supervisor built for %s", e.Platform)
	if arch := archOf(e.Got, e.GotClass, e.GotData); arch != "" {
		fmt.Fprintf(&b, ", or set the platform to linux/%s", arch)
	}
	return b.String()
}

// Is reports whether target is [ErrWrongMachine].
func (e *MachineError) Is(target error) bool { return target == ErrWrongMachine }

func layout(c elf.Class, d elf.Data) string {
	bits := "?-bit"
	switch c {
	case elf.ELFCLASS32:
		bits = "32-bit"
	case elf.ELFCLASS64:
		bits = "64-bit"
	}
	order := "unknown byte order"
	switch d {
	case elf.ELFDATA2LSB:
		order = "little-endian"
	case elf.ELFDATA2MSB:
		order = "big-endian"
	}
	return bits + " " + order
}

// fileError is an error about one file: a sentinel kind with detail.
type fileError struct {
	path   string // "" if unknown
	kind   error
	detail string
	also   error // another sentinel it matches, or nil
}

func (e *fileError) Error() string {
	msg := e.kind.Error()
	if e.path != "" {
		msg = e.path + ": " + msg
	}
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

func (e *fileError) Unwrap() []error {
	if e.also == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.also}
}

// quote quotes s for an error message, cut short if it is long.
func quote(s string) string { return shorten.Quote(s) }
