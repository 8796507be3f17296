package supervisor

import (
	"errors"
	"testing"
)

// FuzzHelperError: whatever the confined run's helper reports, the error
// says the run could not be set up (or the exec was refused, which is
// retried with a copy), and parsing it never panics.
func FuzzHelperError(f *testing.F) {
	for _, s := range []string{"exec\x0026\x00text file busy", "mount\x001\x00making mounts private", "exec\x008\x00exec format error", "x", "", "a\x00b\x00c\x00d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rep string) {
		err := helperError(rep)
		if !errors.Is(err, ErrNotApplicable) && !errors.Is(err, errExecRefused) {
			t.Errorf("helperError(%q) = %v, neither not applicable nor a refused exec", rep, err)
		}
		if errors.Is(err, ErrUnknownVersion) {
			t.Errorf("helperError(%q) = %v: a setup failure is not an unknown version", rep, err)
		}
	})
}
