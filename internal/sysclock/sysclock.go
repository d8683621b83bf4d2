// Package sysclock is the real wall clock, for the CLI and chain's defaults
// (a library user leaves a Clock nil for it).
package sysclock

import "time"

// Clock is the real wall clock.
type Clock struct{}

// Now returns time.Now().
func (Clock) Now() time.Time { return time.Now() }

// SystemClock marks Clock as the system clock: a Cache reads time.Now
// directly instead of calling through the interface.
func (Clock) SystemClock() {}
