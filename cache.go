package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The defaults of CacheOptions' zero fields.
const (
	defaultRefreshJitter = 0.2
	defaultMinBackoff    = time.Second
	defaultMaxBackoff    = time.Minute
	// defaultLoadTimeout is long enough for a person to answer an MFA
	// prompt, short enough that a hung provider cannot wedge the Cache.
	defaultLoadTimeout = 5 * time.Minute
)

// CacheOptions configure a Cache.
type CacheOptions struct {
	// Freshness is how much life is enough (its zero fields take their
	// defaults: see Freshness).
	// With less than its Need left, credentials are never returned and
	// callers wait for a fresh load (the hard window); with less than its
	// Lead, callers get the cached credentials at once and one background
	// refresh starts (the soft window). A 15-minute session refreshes
	// 3m45s before it expires by default, not 5 minutes.
	Freshness Freshness
	// RefreshJitter spreads refreshes: each set of credentials starts its
	// refresh up to this fraction of its lead (soft window minus hard
	// window) earlier, at random (default 0.2), so a fleet that started
	// together does not refresh together. Negative disables it.
	RefreshJitter float64
	// MinBackoff and MaxBackoff bound the jittered exponential delay after a
	// failed background refresh (defaults 1 s and 1 min).
	MinBackoff, MaxBackoff time.Duration
	// OnLoad, if set, is called after every load with the new expiry or the
	// error (never with credentials): for logging refreshes.
	OnLoad func(expires time.Time, err error)
	// LoadTimeout bounds one call of the wrapped provider (default 5 min:
	// an MFA prompt may take a while). The
	// provider's context is cancelled then, and a provider that ignores it is
	// abandoned: its callers get a *LoadTimeoutError and the next Retrieve
	// starts a new load. Waiters can always give up earlier through their own
	// context.
	LoadTimeout time.Duration
	// Clock is the wall clock of every time decision (default the system
	// clock, read precisely on every call). The providers of this package
	// hand it on to the Caches they build around their sources, so one
	// clock set once reaches every Cache of a chain.
	Clock Clock
	// Logger receives the Cache's warnings (a wrapping that defeats
	// refresh-ahead, the role-chaining cap). Default: slog.Default().
	Logger *slog.Logger
}

// Cache makes any aws.CredentialsProvider refresh itself: it is the AWS SDK for JavaScript v2's
// AWS.Credentials base class. Retrieve returns cached credentials until they
// are due; many concurrent callers share one load; credentials in the soft
// window are served while one background refresh runs; credentials in the
// hard window are never served. Errors are never cached.
//
// A Cache is safe for concurrent use and is itself an aws.CredentialsProvider.
type Cache struct {
	provider aws.CredentialsProvider
	opts     CacheOptions
	clock    Clock // nil: the system clock, read with time.Now

	cur atomic.Pointer[snapshot]

	// backgroundBlocked holds the Unix ns before which no background
	// refresh may start (set after a failure, for backoff); loading is set
	// while any load runs. Both let soft-window callers skip the mutex.
	backgroundBlocked atomic.Int64
	loading           atomic.Bool

	mu       sync.Mutex
	inflight *loadCall
	gen      uint64 // bumped by Invalidate: a load started before it stores nothing
	failures int    // consecutive failed background refreshes
	rng      *rand.Rand

	sdk sdkWrapping
}

// snapshot is one immutable set of credentials and its deadlines: callers
// always read all of it or none of it.
type snapshot struct {
	creds  aws.Credentials
	softAt int64 // Unix ns: from here, refresh in the background
	hardAt int64 // Unix ns: from here, never serve
}

// loadCall is one in-flight load shared by every caller that joins it.
type loadCall struct {
	done chan struct{}
	gen  uint64 // the Cache's generation when the load started
	snap *snapshot
	err  error
}

// NewCache wraps provider in a Cache.
//
// Wrapping a *Cache without options returns it unchanged, so wrapping twice
// never doubles the loads. Wrapping a *Cache with options returns a new
// Cache over the same underlying provider, with the wrapped Cache's options
// (its clock included) and optFns applied on top (its own snapshot and
// loads): options are never silently dropped.
func NewCache(provider aws.CredentialsProvider, optFns ...func(*CacheOptions)) *Cache {
	var opts CacheOptions
	if c, ok := provider.(*Cache); ok {
		if len(optFns) == 0 {
			return c
		}
		// Derived: its options (the clock included) with optFns on top.
		provider, opts = c.provider, c.opts
	}
	for _, fn := range optFns {
		fn(&opts)
	}
	c := &Cache{provider: provider, opts: opts.withDefaults(), clock: opts.Clock, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	if _, ok := c.clock.(systemClock); ok {
		c.clock = nil // the same clock, without the interface call
	}
	return c
}

// withDefaults fills the zero fields of o (every field's zero value means
// its default; see each field).
func (o CacheOptions) withDefaults() CacheOptions {
	if o.RefreshJitter == 0 {
		o.RefreshJitter = defaultRefreshJitter
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = defaultMinBackoff
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = defaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = defaultLoadTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// now reads the Cache's wall clock (precise, on every call) in Unix ns.
func (c *Cache) now() int64 { return unixNano(c.clock) }

// latestExpiry is the last expiry a Cache accepts (Unix ns overflow in 2262).
var latestExpiry = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)

// errZeroCache is what a Cache that was not built by NewCache returns.
var errZeroCache = configError("Provider", "this Cache has no provider: build it with tempcreds.NewCache(provider)")

// Provider returns the wrapped provider: the one that loads on every call.
// Assign the Cache, never it, to aws.Config.Credentials.
func (c *Cache) Provider() aws.CredentialsProvider { return c.provider }

// Retrieve returns valid credentials: the cached ones unless they are inside
// the hard window, else the result of one shared load (its error if it fails).
// In the soft window it returns the cached ones at once and starts one
// background refresh. The Expires it reports is the provider's real expiry.
func (c *Cache) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if s := c.cur.Load(); s != nil {
		if !s.creds.CanExpire {
			return s.creds, nil
		}
		now := c.now()
		if now < s.softAt {
			return s.creds, nil
		}
		if now < s.hardAt {
			c.refreshInBackground(ctx, now)
			return s.creds, nil
		}
	}
	if c.provider == nil {
		return aws.Credentials{}, errZeroCache
	}
	c.sdk.noticeCaller(c.opts.Logger)
	return c.wait(ctx, c.join(ctx, false))
}

// Refresh always loads new credentials (joining a load already in flight),
// AWS.Credentials' refresh/refreshPromise.
func (c *Cache) Refresh(ctx context.Context) (aws.Credentials, error) {
	if c.provider == nil {
		return aws.Credentials{}, errZeroCache
	}
	return c.wait(ctx, c.join(ctx, true))
}

// RefreshIfDue refreshes only if the cached credentials are (still) due
// (in the soft window, or missing), joining a load already in flight, and
// waits for it: for a timer that refreshes ahead. Unlike Refresh it never
// starts a second load right after one that a caller just triggered. While a
// failed background refresh backs off it does nothing.
func (c *Cache) RefreshIfDue(ctx context.Context) error {
	if c.provider == nil {
		return errZeroCache
	}
	c.mu.Lock()
	now := c.now()
	s := c.cur.Load()
	if s != nil && (!s.creds.CanExpire || now < s.softAt) || c.inflight == nil && now < c.backgroundBlocked.Load() {
		c.mu.Unlock()
		return nil
	}
	call := c.inflight
	if call == nil {
		call = c.startLocked(ctx, true)
	}
	c.mu.Unlock()
	_, err := c.wait(ctx, call)
	return err
}

// Invalidate forgets the cached credentials: the next Retrieve loads. A
// load already running when Invalidate is called still answers the callers
// that joined it, but stores nothing: the next Retrieve starts a new load.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.gen++
	c.cur.Store(nil)
	c.inflight = nil
	c.loading.Store(false)
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

// NextRefresh returns when the cached credentials are due for a refresh
// (the start of the soft window); the zero time if nothing is cached or
// they cannot expire. A server can refresh on a timer from it, so an idle
// period never makes a caller wait.
func (c *Cache) NextRefresh() time.Time {
	s := c.cur.Load()
	if s == nil || !s.creds.CanExpire {
		return time.Time{}
	}
	return time.Unix(0, s.softAt).UTC()
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
func (c *Cache) join(ctx context.Context, force bool) *loadCall {
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
	return c.startLocked(ctx, false)
}

// refreshInBackground starts one background load unless one is running or
// the backoff after a failure has not passed yet.
func (c *Cache) refreshInBackground(ctx context.Context, now int64) {
	if c.loading.Load() || now < c.backgroundBlocked.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil || now < c.backgroundBlocked.Load() {
		return
	}
	c.startLocked(ctx, true)
}

// startLocked starts a load on ctx's values, detached from its
// cancellation: one caller giving up never cancels what others wait for.
func (c *Cache) startLocked(ctx context.Context, background bool) *loadCall {
	call := &loadCall{done: make(chan struct{}), gen: c.gen}
	c.inflight = call
	c.loading.Store(true)
	go c.load(context.WithoutCancel(ctx), call, background)
	return call
}

// load calls the provider on the values of the context that started it
// (without its cancellation, with LoadTimeout), and publishes the result
// unless Invalidate was called meanwhile. Whatever the provider does
// (return, panic, runtime.Goexit, hang past LoadTimeout), the in-flight load
// is cleared and every waiter released, so the next Retrieve can load again.
func (c *Cache) load(ctx context.Context, call *loadCall, background bool) {
	snap, err := c.fetchBounded(ctx)
	now := c.now()

	c.mu.Lock()
	if call.gen == c.gen {
		if err == nil {
			c.cur.Store(snap)
			c.failures = 0
			c.backgroundBlocked.Store(0)
		} else if background {
			c.failures++
			c.backgroundBlocked.Store(now + int64(c.backoffLocked()))
		}
	}
	if c.inflight == call {
		c.inflight = nil
		c.loading.Store(false)
	}
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

// fetchBounded runs fetch in its own goroutine and gives up on it after
// LoadTimeout: a provider that ignores its context, or never returns, is
// abandoned rather than allowed to hold the load forever. A provider that
// calls runtime.Goexit ends only that goroutine; its deferred send reports it.
func (c *Cache) fetchBounded(ctx context.Context) (*snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.LoadTimeout)
	defer cancel()
	type result struct {
		snap *snapshot
		err  error
	}
	done := make(chan result, 1) // buffered: an abandoned fetch never blocks
	go func() {
		r := result{err: &ProviderPanicError{Value: "runtime.Goexit: the provider ended its goroutine without returning"}}
		defer func() { done <- r }()
		r.snap, r.err = c.fetch(ctx)
	}()
	timer := time.NewTimer(c.opts.LoadTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.snap, r.err
	case <-timer.C:
		return nil, &LoadTimeoutError{Timeout: c.opts.LoadTimeout}
	}
}

// fetch calls the provider once and checks the answer. A provider that is
// itself a cache (aws.CredentialsCache, another Cache: anything with
// Invalidate) may hand back credentials that are still valid by its rules
// but inside our expiry window; it is invalidated and asked once more.
func (c *Cache) fetch(ctx context.Context) (*snapshot, error) {
	creds, err := retrieveRecovering(ctx, c.provider)
	if err != nil {
		return nil, sanitize(err) // any provider's error, safe to print
	}
	snap, err := c.newSnapshot(creds, c.now())
	var expired *ExpiredCredentialsError
	if inv, ok := c.provider.(interface{ Invalidate() }); ok && errors.As(err, &expired) {
		inv.Invalidate()
		if creds, err = retrieveRecovering(ctx, c.provider); err != nil {
			return nil, sanitize(err)
		}
		snap, err = c.newSnapshot(creds, c.now())
	}
	return snap, err
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
	if !creds.Expires.Before(latestExpiry) || creds.Expires.Before(time.Unix(0, 0)) {
		// Unix nanoseconds overflow in 2262: such a time would compare wrong.
		return nil, fmt.Errorf("tempcreds: the provider returned credentials expiring at %s, outside 1970 to 2261: refusing them",
			creds.Expires.UTC().Format(time.RFC3339))
	}
	exp := creds.Expires.UnixNano()
	lifetime := time.Duration(exp - now)
	hard := c.opts.Freshness.Need(lifetime)
	hardAt := exp - int64(hard)
	if now >= hardAt {
		return nil, &ExpiredCredentialsError{
			Expires: creds.Expires, Now: time.Unix(0, now).UTC(), Window: hard,
		}
	}
	soft := c.opts.Freshness.Lead(lifetime)
	if j := c.opts.RefreshJitter; j > 0 {
		c.mu.Lock()
		extra := time.Duration(c.rng.Float64() * j * float64(soft-hard))
		c.mu.Unlock()
		// Keep at least half of the fresh period: a refresh must never
		// start as soon as the credentials arrive.
		soft += max(0, min(extra, (lifetime-soft)/2))
	}
	return &snapshot{creds: creds, softAt: exp - int64(soft), hardAt: hardAt}, nil
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
// type of anything else, which might. A value whose methods panic in turn
// (a typed nil error) is described by its type alone.
func describePanic(r any) (desc string) {
	desc = fmt.Sprintf("value of type %T", r)
	defer func() { _ = recover() }()
	var re runtime.Error
	if err, ok := r.(error); ok && errors.As(err, &re) {
		desc = re.Error()
	}
	return desc
}
