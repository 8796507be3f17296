//go:build linux

package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// waiterHold is how long the waiter contender finds the entry locked.
const waiterHold = 200 * time.Millisecond

// waiterCost are supctl processes, one at a time, on the cache in dir,
// which holds img, that take apart what a waiter of the concurrent table
// spends: the version command (process start), a warm pull of the fresh
// tag (start, the cache's checks, no request), a pull of the tag whose ref
// record was removed (the manifests fetched from the registry, the entry
// found sound at once, the ref recorded) and the same with the entry's
// lock held by this process for waiterHold after the start, as an
// extractor holds it: a waiter without the others' contention. The CPU
// time of each is its own, measured by peakrss.
func (b *bed) waiterCost(img image, dir string) []*result {
	refs := filepath.Join(dir, "refs")
	forget := func() error {
		ents, err := os.ReadDir(refs)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := os.Remove(filepath.Join(refs, e.Name())); err != nil {
				return err
			}
		}
		return nil
	}
	args := []string{"pull", "--json", img.ref, "--platform", platformString(), "--cache-dir", dir}
	printed := func(_ string, s sample, full bool) error {
		if len(s.stdout) == 0 || s.stdout[0] != '{' {
			return fmt.Errorf("printed %q, not JSON", s.stdout)
		}
		return nil
	}
	return b.measure(warmRounds, 2, img.layer, contender{
		name: "`supctl version`",
		run: func(ctx context.Context, _ string) (sample, error) {
			return b.launch(ctx, b.tools.supctl, "version")
		},
	}, contender{
		name:  "warm pull, fresh tag",
		run:   func(ctx context.Context, _ string) (sample, error) { return b.launch(ctx, b.tools.supctl, args...) },
		check: printed,
	}, contender{
		name: "pull, tag unknown, entry cached",
		run: func(ctx context.Context, _ string) (sample, error) {
			if err := forget(); err != nil {
				return sample{}, err
			}
			return b.launch(ctx, b.tools.supctl, args...)
		},
		check: printed,
	}, contender{
		name: fmt.Sprintf("the same, entry locked for %v (a waiter alone)", waiterHold),
		run: func(ctx context.Context, _ string) (sample, error) {
			if err := forget(); err != nil {
				return sample{}, err
			}
			locks, err := filepath.Glob(filepath.Join(dir, "entries", "*.lock"))
			if err != nil || len(locks) != 1 {
				return sample{}, fmt.Errorf("lock files of the cache: %v, %v; want one", locks, err)
			}
			entry, parked := strings.TrimSuffix(locks[0], ".lock"), filepath.Join(dir, "parked")
			f, err := os.Open(locks[0])
			if err != nil {
				return sample{}, err
			}
			defer f.Close()
			// As an extractor: the entry locked and not there, until it
			// is committed and the lock released.
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
				return sample{}, err
			}
			if err := os.Rename(entry, parked); err != nil {
				return sample{}, err
			}
			done := make(chan error, 1)
			var released time.Time
			time.AfterFunc(waiterHold, func() {
				err := os.Rename(parked, entry)
				released = time.Now()
				done <- errors.Join(err, syscall.Flock(int(f.Fd()), syscall.LOCK_UN))
			})
			s, err := b.launch(ctx, b.tools.supctl, args...)
			if herr := <-done; herr != nil {
				return s, herr
			}
			if err == nil && s.exited.Before(released) {
				err = fmt.Errorf("the waiter exited %v before the lock was released", released.Sub(s.exited))
			}
			return s, err
		},
		check: func(_ string, s sample, _ bool) error {
			if !strings.Contains(s.stdout, `"extracted":false`) && !strings.Contains(s.stdout, `"extracted": false`) {
				return fmt.Errorf("the waiter did not reuse the entry: %q", s.stdout)
			}
			return nil
		},
	})
}
