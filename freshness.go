package tempcreds

import "time"

// Freshness is how much life credentials must have left: the one answer to
// "is this enough?" shared by the Cache (its hard and soft windows), the
// file cache (package filecache: an entry is reused while it has Need left)
// and the container server (package server: every answer keeps Need).
//
// Both durations can be capped to a fraction of the session's lifetime, so
// that short sessions are still usable for most of their life: a 15-minute
// session cannot keep 15 minutes in hand.
type Freshness struct {
	// Min is the life credentials need to be handed out at all: with less
	// left they are never returned, and callers wait for new ones.
	Min time.Duration
	// MinFraction, when 0 < f ≤ 1, caps Min to this fraction of the
	// session's lifetime. 0 means no cap.
	MinFraction float64
	// Ahead is the life left at which a refresh starts while the current
	// credentials are still handed out (refresh-ahead). It is never less
	// than the Need; 0 means no refresh ahead.
	Ahead time.Duration
	// AheadFraction, when 0 < f ≤ 1, caps Ahead to this fraction of the
	// session's lifetime. 0 means no cap.
	AheadFraction float64
}

// DefaultFreshness is the Cache's default: never hand out credentials with
// less than 15 s left (the expiryWindow of the AWS SDK for JavaScript v2's
// AWS.Credentials), refresh ahead from 5 minutes before expiry or a quarter
// of the session, whichever is later.
var DefaultFreshness = Freshness{Min: 15 * time.Second, Ahead: 5 * time.Minute, AheadFraction: 0.25}

// Need is the life credentials of this lifetime must have left to be
// handed out (lifetime ≤ 0: unknown, the fraction does not apply).
func (f Freshness) Need(lifetime time.Duration) time.Duration {
	return capTo(max(f.Min, 0), f.MinFraction, lifetime)
}

// Lead is the life left at which a refresh of credentials of this lifetime
// starts ahead; never less than Need.
func (f Freshness) Lead(lifetime time.Duration) time.Duration {
	return max(capTo(f.Ahead, f.AheadFraction, lifetime), f.Need(lifetime))
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
