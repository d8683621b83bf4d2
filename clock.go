package tempcreds

import (
	"sync/atomic"
	"time"
)

// Clock tells the wall-clock time. Caches and providers take one so tests
// can drive time by hand; the default is the system clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// coarseClock is a wall clock that is cheap to read: a background goroutine
// stores time.Now() in an atomic every tick while the clock is being read, and
// stops after idleTicks ticks without a reader. Reading it costs an atomic load
// instead of a clock_gettime (about 90 ns on the machines we measured).
//
// It may lag the real clock by a tick plus scheduling delay, so the Cache
// only uses it to decide that credentials are more than a second from their
// refresh point; every decision nearer reads the precise clock. Known
// limit: in the first moments after a system resumes from suspend, before
// the ticker runs again (about one tick), it still shows the pre-suspend
// time, and the fast path can judge by it.
// The standard library has no coarse clock, which is why this exists.
type coarseClock struct {
	nanos     atomic.Int64
	running   atomic.Bool
	read      atomic.Bool
	tick      time.Duration
	idleTicks int
	base      func() time.Time
}

// coarse is the process-wide coarse clock used by Caches on the system clock.
var coarse = &coarseClock{tick: time.Millisecond, idleTicks: 1000, base: time.Now}

// now returns the coarse wall time in Unix nanoseconds.
func (c *coarseClock) now() int64 {
	if !c.running.Load() {
		return c.start()
	}
	if !c.read.Load() {
		c.read.Store(true)
	}
	return c.nanos.Load()
}

// start reads the precise clock and starts the ticking goroutine if no other
// caller already did.
func (c *coarseClock) start() int64 {
	n := c.base().UnixNano()
	c.nanos.Store(n)
	if c.running.CompareAndSwap(false, true) {
		go c.run()
	}
	return n
}

func (c *coarseClock) run() {
	t := time.NewTicker(c.tick)
	defer t.Stop()
	idle := 0
	for range t.C {
		c.nanos.Store(c.base().UnixNano())
		if c.read.Swap(false) {
			idle = 0
			continue
		}
		idle++
		if idle >= c.idleTicks {
			c.running.Store(false)
			return
		}
	}
}
