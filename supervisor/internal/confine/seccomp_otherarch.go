//go:build linux && !amd64 && !arm64

package confine

import "errors"

// No filter is written for this architecture, so a confined run cannot be
// set up: installFilter fails and the prober is not applicable.
func installFilter() error {
	return errors.New("no seccomp filter for this architecture")
}
