package tempcreds

import "time"

// Freshness is how much life credentials must have left: the one answer to
// "is this enough?" shared by the Cache (its hard and soft windows), the
// disk cache (an entry is reused while it has Need left)
// and the container server (package server: every answer keeps Need).
//
// Both durations can be capped to a fraction of the session's lifetime, so
// that short sessions are still usable for most of their life: a 15-minute
// session cannot keep 15 minutes in hand.
//
// A field left zero takes its default, so no literal can switch a behaviour
// off by omission: the zero Freshness is the Cache's default (never hand out
// credentials with less than 15 s left, the expiryWindow of the AWS SDK for
// JavaScript v2's AWS.Credentials; refresh ahead from 5 minutes before
// expiry or a quarter of the session, whichever is later), and
// Freshness{Min: 30 * time.Second} still refreshes ahead. A negative
// duration means none: Ahead < 0 turns refresh-ahead off, Min < 0 hands
// credentials out until their last nanosecond.
type Freshness struct {
	// Min is the life credentials need to be handed out at all: with less
	// left they are never returned, and callers wait for new ones.
	// 0: 15 s.
	Min time.Duration
	// MinFraction, when 0 < f ≤ 1, caps Min to this fraction of the
	// session's lifetime. 0 means no cap.
	MinFraction float64
	// Ahead is the life left at which a refresh starts while the current
	// credentials are still handed out (refresh-ahead). It is never less
	// than the Need. 0: 5 minutes, capped to a quarter of the session
	// (AheadFraction 0.25) unless AheadFraction is set; negative: no
	// refresh ahead.
	Ahead time.Duration
	// AheadFraction, when 0 < f ≤ 1, caps Ahead to this fraction of the
	// session's lifetime. 0 means no cap (or 0.25 when Ahead is 0 too).
	AheadFraction float64
}

// The defaults a zero field of Freshness takes.
const (
	defaultMin           = 15 * time.Second
	defaultAhead         = 5 * time.Minute
	defaultAheadFraction = 0.25
	// shortSessionShare is the part of a short session's usable life (its
	// lifetime above Need) kept for refreshing ahead when the configured
	// Ahead would leave none: a 30 s session with a 15 s Need refreshes
	// from 18 s left, so no caller waits for its next one.
	shortSessionShare = 5
)

// withDefaults fills the zero fields.
func (f Freshness) withDefaults() Freshness {
	if f.Min == 0 {
		f.Min = defaultMin
	}
	if f.Ahead == 0 {
		f.Ahead = defaultAhead
		if f.AheadFraction == 0 {
			f.AheadFraction = defaultAheadFraction
		}
	}
	return f
}

// Need is the life credentials of this lifetime must have left to be
// handed out (lifetime ≤ 0: unknown, the fraction does not apply).
func (f Freshness) Need(lifetime time.Duration) time.Duration {
	f = f.withDefaults()
	return capTo(max(f.Min, 0), f.MinFraction, lifetime)
}

// Lead is the life left at which a refresh of credentials of this lifetime
// starts ahead; never less than Need. With refresh-ahead on, a session too
// short for the configured Ahead still gets a fifth of its usable life
// (lifetime minus Need) to refresh in, up to Ahead.
func (f Freshness) Lead(lifetime time.Duration) time.Duration {
	f = f.withDefaults()
	need := f.Need(lifetime)
	if f.Ahead < 0 {
		return need
	}
	lead := capTo(f.Ahead, f.AheadFraction, lifetime)
	if lifetime > need {
		lead = max(lead, min(need+(lifetime-need)/shortSessionShare, max(f.Ahead, need)))
	}
	return max(lead, need)
}

func capTo(d time.Duration, fraction float64, lifetime time.Duration) time.Duration {
	if fraction > 0 && fraction <= 1 && lifetime > 0 {
		// Compared as floats first: a huge lifetime must not overflow.
		if c := float64(lifetime) * fraction; c < float64(d) {
			d = time.Duration(c)
		}
	}
	return d
}
