package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Defaults of CacheOptions.
const (
	// DefaultExpiryWindow is the hard window: credentials with less than this
	// left are never returned (the seed's expiryWindow of 15 seconds).
	DefaultExpiryWindow = 15 * time.Second
	// DefaultRefreshAhead is the soft window: credentials with less than this
	// left are still returned, and one background refresh starts.
	DefaultRefreshAhead = 5 * time.Minute
	// DefaultRefreshAheadFraction caps the soft window to this fraction of
	// the session's lifetime, so short sessions are used for most of it.
	DefaultRefreshAheadFraction = 0.25
	// DefaultRefreshJitter is the default RefreshJitter.
	DefaultRefreshJitter = 0.2
	// DefaultMinBackoff and DefaultMaxBackoff bound the delay between failed
	// background refreshes.
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
)

// coarseGuard is how far from the soft deadline the coarse clock may decide
// alone; closer than that, the precise clock is read.
const coarseGuard = time.Second

// CacheOptions configure a Cache.
type CacheOptions struct {
	// ExpiryWindow is the hard window (default 15 s): inside it, credentials
	// are never returned and callers wait for a fresh load.
	ExpiryWindow time.Duration
	// RefreshAhead is the soft window (default 5 min): inside it, callers get
	// the cached credentials at once and one background refresh starts.
	RefreshAhead time.Duration
	// RefreshAheadFraction caps RefreshAhead to this fraction of the
	// session's lifetime (default 0.25): a 15-minute session refreshes
	// 3m45s before it expires, not 5 minutes.
	RefreshAheadFraction float64
	// RefreshJitter spreads refreshes: each set of credentials starts its
	// refresh up to this fraction of its lead (soft window minus hard
	// window) earlier, at random (default 0.2), so a fleet that started
	// together does not refresh together. Negative disables it.
	RefreshJitter float64
	// MinBackoff and MaxBackoff bound the jittered exponential delay after a
	// failed background refresh (defaults 1 s and 1 min).
	MinBackoff, MaxBackoff time.Duration
	// ExpiryWindowFraction, when set (0 < f ≤ 1), caps ExpiryWindow to this
	// fraction of the session's lifetime: a server that promises consumers
	// 15 minutes of life can still serve a 15-minute session for a while.
	ExpiryWindowFraction float64
	// OnLoad, if set, is called after every load with the new expiry or the
	// error (never with credentials): for logging refreshes.
	OnLoad func(expires time.Time, err error)
	// LoadTimeout bounds one call of the wrapped provider (default none: an
	// MFA prompt may take a while). Waiters can always give up through their
	// own context.
	LoadTimeout time.Duration
	// Clock is the wall clock (default the system clock, read through a
	// cheap coarse clock on the fast path).
	Clock Clock
}

// Cache makes any aws.CredentialsProvider refresh itself: it is the seed's
// AWS.Credentials base class. Retrieve returns cached credentials until they
// are due; many concurrent callers share one load; credentials in the soft
// window are served while one background refresh runs; credentials in the
// hard window are never served. Errors are never cached.
//
// A Cache is safe for concurrent use and is itself an aws.CredentialsProvider.
type Cache struct {
	provider aws.CredentialsProvider
	opts     CacheOptions
	now      func() int64 // precise wall clock, Unix ns
	fastNow  func() int64 // cheap wall clock, may lag by up to coarseGuard
	guard    int64        // how much earlier than softAt fastNow decides alone

	cur atomic.Pointer[snapshot]

	// backgroundBlocked holds the Unix ns before which no background
	// refresh may start (set after a failure, for backoff); loading is set
	// while any load runs. Both let soft-window callers skip the mutex.
	backgroundBlocked atomic.Int64
	loading           atomic.Bool

	mu       sync.Mutex
	inflight *loadCall
	failures int // consecutive failed background refreshes
	rng      *rand.Rand
}

// snapshot is one immutable set of credentials and its deadlines: callers
// always read all of it or none of it.
type snapshot struct {
	creds     aws.Credentials
	fastUntil int64 // Unix ns: before this (by fastNow), serve without more checks
	softAt    int64 // Unix ns: from here, refresh in the background
	hardAt    int64 // Unix ns: from here, never serve
}

// loadCall is one in-flight load shared by every caller that joins it.
type loadCall struct {
	done chan struct{}
	snap *snapshot
	err  error
}

// NewCache wraps provider in a Cache. Wrapping a *Cache returns it unchanged
// (its options are kept, optFns are ignored).
func NewCache(provider aws.CredentialsProvider, optFns ...func(*CacheOptions)) *Cache {
	if c, ok := provider.(*Cache); ok {
		return c
	}
	opts := CacheOptions{
		ExpiryWindow:         DefaultExpiryWindow,
		RefreshAhead:         DefaultRefreshAhead,
		RefreshAheadFraction: DefaultRefreshAheadFraction,
		RefreshJitter:        DefaultRefreshJitter,
		MinBackoff:           DefaultMinBackoff,
		MaxBackoff:           DefaultMaxBackoff,
	}
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.ExpiryWindow < 0 {
		opts.ExpiryWindow = 0
	}
	if opts.RefreshAhead < opts.ExpiryWindow {
		opts.RefreshAhead = opts.ExpiryWindow
	}
	if opts.ExpiryWindowFraction < 0 || opts.ExpiryWindowFraction > 1 {
		opts.ExpiryWindowFraction = 0
	}
	if opts.RefreshAheadFraction <= 0 || opts.RefreshAheadFraction > 1 {
		opts.RefreshAheadFraction = DefaultRefreshAheadFraction
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = opts.MinBackoff
	}
	c := &Cache{provider: provider, opts: opts, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	if opts.Clock == nil {
		c.opts.Clock = SystemClock{}
		c.now = func() int64 { return time.Now().UnixNano() }
		c.fastNow = coarse.now
		c.guard = int64(coarseGuard)
	} else {
		clk := opts.Clock
		c.now = func() int64 { return clk.Now().UnixNano() }
		c.fastNow = c.now
	}
	return c
}

// Provider returns the wrapped provider.
func (c *Cache) Provider() aws.CredentialsProvider { return c.provider }

// Retrieve returns valid credentials: the cached ones unless they are inside
// the hard window, else the result of one shared load (its error if it fails).
// In the soft window it returns the cached ones at once and starts one
// background refresh. The Expires it reports is the provider's real expiry.
func (c *Cache) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if s := c.cur.Load(); s != nil {
		if !s.creds.CanExpire || c.fastNow() < s.fastUntil {
			return s.creds, nil
		}
		now := c.now()
		if now < s.softAt {
			return s.creds, nil
		}
		if now < s.hardAt {
			c.refreshInBackground(now)
			return s.creds, nil
		}
	}
	return c.wait(ctx, c.join(false))
}

// Refresh always loads new credentials (joining a load already in flight),
// the seed's refresh/refreshPromise.
func (c *Cache) Refresh(ctx context.Context) (aws.Credentials, error) {
	return c.wait(ctx, c.join(true))
}

// Invalidate forgets the cached credentials: the next Retrieve loads.
func (c *Cache) Invalidate() {
	c.cur.Store(nil)
	c.mu.Lock()
	c.failures = 0
	c.backgroundBlocked.Store(0)
	c.mu.Unlock()
}

// Loading reports whether a load (foreground or background) is running.
func (c *Cache) Loading() bool { return c.loading.Load() }

// Expired reports whether Retrieve would have to wait for a load: nothing is
// cached, or the cached credentials are inside the hard window.
func (c *Cache) Expired() bool {
	s := c.cur.Load()
	return s == nil || (s.creds.CanExpire && c.now() >= s.hardAt)
}

// NeedsRefresh reports whether the cached credentials are missing or due for
// a refresh (inside the soft window).
func (c *Cache) NeedsRefresh() bool {
	s := c.cur.Load()
	return s == nil || (s.creds.CanExpire && c.now() >= s.softAt)
}

// ExpireTime returns the real expiry of the cached credentials; the zero time
// if nothing is cached or they cannot expire.
func (c *Cache) ExpireTime() time.Time {
	s := c.cur.Load()
	if s == nil || !s.creds.CanExpire {
		return time.Time{}
	}
	return s.creds.Expires
}

// join returns the in-flight load, or starts one. Unless force is set, it
// first re-checks the snapshot under the lock, so a caller that raced with
// a finishing load does not start a second one.
func (c *Cache) join(force bool) *loadCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil {
		return c.inflight
	}
	if !force {
		if s := c.cur.Load(); s != nil && (!s.creds.CanExpire || c.now() < s.hardAt) {
			done := make(chan struct{})
			close(done)
			return &loadCall{done: done, snap: s}
		}
	}
	return c.startLocked(false)
}

// refreshInBackground starts one background load unless one is running or
// the backoff after a failure has not passed yet.
func (c *Cache) refreshInBackground(now int64) {
	if c.loading.Load() || now < c.backgroundBlocked.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil || now < c.backgroundBlocked.Load() {
		return
	}
	c.startLocked(true)
}

func (c *Cache) startLocked(background bool) *loadCall {
	call := &loadCall{done: make(chan struct{})}
	c.inflight = call
	c.loading.Store(true)
	go c.load(call, background)
	return call
}

// load calls the provider, detached from every caller's context, and
// publishes the result. It never leaves waiters hanging, even on a panic.
func (c *Cache) load(call *loadCall, background bool) {
	ctx := context.Background()
	if c.opts.LoadTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.LoadTimeout)
		defer cancel()
	}
	creds, err := retrieveRecovering(ctx, c.provider)
	now := c.now()
	var snap *snapshot
	if err == nil {
		snap, err = c.newSnapshot(creds, now)
	}

	c.mu.Lock()
	if err == nil {
		c.cur.Store(snap)
		c.failures = 0
		c.backgroundBlocked.Store(0)
	} else if background {
		c.failures++
		c.backgroundBlocked.Store(now + int64(c.backoffLocked()))
	}
	c.inflight = nil
	c.loading.Store(false)
	c.mu.Unlock()

	call.snap, call.err = snap, err
	close(call.done)
	if c.opts.OnLoad != nil {
		var exp time.Time
		if snap != nil {
			exp = snap.creds.Expires
		}
		c.opts.OnLoad(exp, err)
	}
}

// backoffLocked is the jittered exponential delay after c.failures failures:
// a random duration in [d/2, d] with d = MinBackoff·2^(failures-1), capped.
func (c *Cache) backoffLocked() time.Duration {
	d := c.opts.MinBackoff
	for i := 1; i < c.failures && d < c.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.opts.MaxBackoff)
	half := int64(d / 2)
	return time.Duration(half + c.rng.Int64N(half+1))
}

// newSnapshot computes the deadlines of freshly loaded credentials, and
// refuses credentials that are already inside the hard window (a clock skew
// or a provider handing out nearly expired credentials).
func (c *Cache) newSnapshot(creds aws.Credentials, now int64) (*snapshot, error) {
	if !creds.CanExpire {
		return &snapshot{creds: creds}, nil
	}
	exp := creds.Expires.UnixNano()
	lifetime := time.Duration(exp - now)
	hard := c.opts.ExpiryWindow
	if f := c.opts.ExpiryWindowFraction; f > 0 && lifetime > 0 {
		hard = min(hard, time.Duration(float64(lifetime)*f))
	}
	hardAt := exp - int64(hard)
	if now >= hardAt {
		return nil, &ExpiredCredentialsError{
			Expires: creds.Expires, Now: time.Unix(0, now).UTC(), Window: hard,
		}
	}
	soft := min(c.opts.RefreshAhead, time.Duration(float64(lifetime)*c.opts.RefreshAheadFraction))
	soft = max(soft, hard)
	if j := c.opts.RefreshJitter; j > 0 {
		c.mu.Lock()
		extra := time.Duration(c.rng.Float64() * j * float64(soft-hard))
		c.mu.Unlock()
		// Keep at least half of the fresh period: a refresh must never
		// start as soon as the credentials arrive.
		soft += max(0, min(extra, (lifetime-soft)/2))
	}
	softAt := exp - int64(soft)
	return &snapshot{creds: creds, fastUntil: softAt - c.guard, softAt: softAt, hardAt: hardAt}, nil
}

func (c *Cache) wait(ctx context.Context, call *loadCall) (aws.Credentials, error) {
	select {
	case <-call.done:
		if call.err != nil {
			return aws.Credentials{}, call.err
		}
		return call.snap.creds, nil
	case <-ctx.Done():
		return aws.Credentials{}, fmt.Errorf("tempcreds: gave up waiting for credentials: %w", context.Cause(ctx))
	}
}

// retrieveRecovering calls p.Retrieve and turns a panic into an error.
func retrieveRecovering(ctx context.Context, p aws.CredentialsProvider) (creds aws.Credentials, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ProviderPanicError{Value: describePanic(r)}
		}
	}()
	return p.Retrieve(ctx)
}

// describePanic keeps runtime errors (which never hold secrets) and only the
// type of anything else, which might.
func describePanic(r any) string {
	var re runtime.Error
	if err, ok := r.(error); ok && errors.As(err, &re) {
		return re.Error()
	}
	return fmt.Sprintf("value of type %T", r)
}
