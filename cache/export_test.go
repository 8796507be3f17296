package cache

import "time"

// SetClock makes c use now as its clock.
func SetClock(c *Cache, now func() time.Time) { c.now = now }

// SetHeldGrace sets how long a fill waits on an entry held in use.
func SetHeldGrace(c *Cache, d time.Duration) { c.heldGrace = d }

// LockError is how a failure to lock p is reported.
func LockError(p string, err error) error { return lockError(p, err) }

// Remembers reports whether c holds the checked record and seal of k.
func Remembers(c *Cache, k Key) bool {
	c.sealed.mu.Lock()
	defer c.sealed.mu.Unlock()
	_, ok := c.sealed.m[k]
	return ok
}
