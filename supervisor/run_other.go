//go:build !linux

package supervisor

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// runConfined is never reached off Linux (runnableHere says so first): the
// confinement it needs is Linux's.
func runConfined(context.Context, string, time.Duration, bool) (string, error) {
	return "", fmt.Errorf("%w: no confined run on %s", ErrNotApplicable, runtime.GOOS)
}
