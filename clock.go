package tempcreds

import "time"

// Clock tells the wall-clock time. Caches and providers take one so tests
// can drive time by hand; the default is the system clock.
type Clock interface {
	Now() time.Time
}

// systemClock is implemented by the real wall clock (internal/sysclock):
// a Cache on it reads time.Now directly.
type systemClock interface{ SystemClock() }

// unixNano reads clk, or the system clock when clk is nil, in Unix ns. Every
// time decision of a Cache goes through it: a nil clock calls time.Now
// directly (no interface call on the hot path), and there is no cached or
// coarse reading that could lag after a suspend or a SIGSTOP.
func unixNano(clk Clock) int64 {
	if clk == nil {
		return time.Now().UnixNano()
	}
	return clk.Now().UnixNano()
}
