package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

// TestAnInjectedClockReachesEveryHiddenCache builds each provider that wraps
// its Source in a Cache of its own, with a raw (uncached) Source and the
// clock given only in the provider's options, then lives 6 simulated hours:
// every STS call must be signed by credentials that are valid at that time.
// With a hidden Cache on the system clock, the Source's first credentials
// would be kept (or refused) by the real time instead.
func TestAnInjectedClockReachesEveryHiddenCache(t *testing.T) {
	builds := []struct {
		name  string
		build func(clk Clock, client STSClient, src aws.CredentialsProvider) (aws.CredentialsProvider, error)
	}{
		{"NewAssumeRole", func(clk Clock, client STSClient, src aws.CredentialsProvider) (aws.CredentialsProvider, error) {
			return NewAssumeRole(client, roleA, func(o *AssumeRoleOptions) { o.Source, o.Clock = src, clk })
		}},
		{"NewSessionToken", func(clk Clock, client STSClient, src aws.CredentialsProvider) (aws.CredentialsProvider, error) {
			// GetSessionToken needs long-term keys: the Source is the user's
			// keys, handed out (like a credential_process) with a 1 h expiry.
			return NewSessionToken(client, func(o *SessionTokenOptions) { o.Source, o.Clock = src, clk })
		}},
		{"NewTemporary", func(clk Clock, client STSClient, src aws.CredentialsProvider) (aws.CredentialsProvider, error) {
			return NewTemporary(client, TemporaryParams{RoleARN: roleA, Source: src}, func(o *CacheOptions) { o.Clock = clk })
		}},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			s, user := newSTS(t, clk)
			client := s.Client(nil)
			// The Source: role B, a raw provider living 1 h, not a Cache.
			var src aws.CredentialsProvider
			src, err := NewAssumeRole(client, roleB, func(o *AssumeRoleOptions) { o.Source = staticProvider(user) })
			if err != nil {
				t.Fatal(err)
			}
			if b.name == "NewSessionToken" {
				src = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					c := user
					c.CanExpire, c.Expires = true, clk.Now().Add(time.Hour)
					return c, nil
				})
			}
			p, err := b.build(clk, client, src)
			if err != nil {
				t.Fatal(err)
			}
			outer := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
			for end := t0.Add(6 * time.Hour); clk.Now().Before(end); clk.Advance(10 * time.Minute) {
				if _, err := outer.Refresh(context.Background()); err != nil {
					t.Fatalf("at +%s: %v", clk.Now().Sub(t0), err)
				}
			}
			if b.name == "NewSessionToken" {
				return // the Source's keys never expire at STS; no error above is the test
			}
			checked := 0
			for _, call := range s.Calls() {
				if call.Action == "AssumeRole" && call.Params.Get("RoleArn") == roleB {
					continue // signed by the long-term user
				}
				id, ok := s.Identity(call.SignedBy)
				if !ok || id.RoleARN != roleB {
					t.Fatalf("%s at %s signed by %q, want role B", call.Action, call.At, call.SignedBy)
				}
				if !call.At.Before(id.Expires) {
					t.Fatalf("%s at %s signed with role B credentials that expired at %s", call.Action, call.At, id.Expires)
				}
				checked++
			}
			if checked < 36 {
				t.Errorf("only %d calls signed by role B over 6 h; want one per refresh", checked)
			}
		})
	}
}

func TestNewCacheOfACacheNeverDropsOptions(t *testing.T) {
	clk := fakeclock.New(t0)
	other := fakeclock.New(t0.Add(24 * time.Hour))
	p := &fakeProvider{clk: other, lifetime: time.Hour}
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
	if NewCache(c) != c {
		t.Fatal("NewCache(cache) without options made a new Cache (it would double the loads)")
	}
	c2 := NewCache(c, func(o *CacheOptions) { o.Clock = other })
	if c2 == c {
		t.Fatal("NewCache(cache, opts) returned cache and dropped opts")
	}
	if c2.Provider() != p {
		t.Errorf("the new Cache wraps %T, want the underlying provider", c2.Provider())
	}
	creds, err := c2.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := other.Now().Add(time.Hour); !creds.Expires.Equal(want) || c2.Expired() {
		t.Errorf("the new Cache does not use its own clock (expires %s, want %s)", creds.Expires, want)
	}
	// Derived without a Clock: the wrapped Cache's clock (and options) stay.
	c3 := NewCache(c2, func(o *CacheOptions) { o.OnLoad = func(time.Time, error) {} })
	if _, err := c3.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	other.Advance(2 * time.Hour)
	if creds, err := c3.Retrieve(context.Background()); err != nil || !creds.Expires.After(other.Now()) {
		t.Errorf("a Cache derived with other options lost the clock: %v, expires %s at %s", err, creds.Expires, other.Now())
	}
}

// misbehaving is a provider whose next calls do what mode says, then
// behave once mode is "ok".
type misbehaving struct {
	clk   *fakeclock.Clock
	mode  atomic.Value // string
	calls atomic.Int64
}

func (p *misbehaving) Retrieve(ctx context.Context) (aws.Credentials, error) {
	p.calls.Add(1)
	switch p.mode.Load().(string) {
	case "panic":
		panic("boom")
	case "goexit":
		runtime.Goexit()
	case "hang":
		select {} // ignores its context too
	case "hang-until-cancelled":
		<-ctx.Done()
		return aws.Credentials{}, ctx.Err()
	case "error":
		return aws.Credentials{}, errors.New("sts is down")
	}
	return aws.Credentials{AccessKeyID: "ASIAFAKEOK", SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: p.clk.Now().Add(time.Hour)}, nil
}

// TestNoProviderBehaviourWedgesTheCache: whatever the provider does, every
// waiter is released with an error, and once the cause is gone Retrieve,
// Refresh and Invalidate work and the provider is called again.
func TestNoProviderBehaviourWedgesTheCache(t *testing.T) {
	for _, mode := range []string{"panic", "goexit", "hang", "hang-until-cancelled", "error"} {
		t.Run(mode, func(t *testing.T) {
			clk := fakeclock.New(t0)
			p := &misbehaving{clk: clk}
			p.mode.Store(mode)
			// A real timer bounds the hung load; 50 ms keeps the test short.
			c := NewCache(p, func(o *CacheOptions) { o.Clock = clk; o.LoadTimeout = 50 * time.Millisecond })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.Retrieve(ctx)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err == nil || ctx.Err() != nil {
					t.Fatalf("waiter %d: err = %v (ctx %v), want the provider's failure", i, err, ctx.Err())
				}
			}
			var lt *LoadTimeoutError
			if strings.HasPrefix(mode, "hang") && !errors.As(errs[0], &lt) {
				t.Errorf("a hung load gave %v, want a *LoadTimeoutError", errs[0])
			}
			p.mode.Store("ok")
			before := p.calls.Load()
			c.Invalidate()
			if _, err := c.Retrieve(ctx); err != nil {
				t.Fatalf("Retrieve after the cause is gone: %v", err)
			}
			if _, err := c.Refresh(ctx); err != nil {
				t.Fatalf("Refresh after the cause is gone: %v", err)
			}
			if got := p.calls.Load() - before; got != 2 {
				t.Errorf("provider called %d times after recovery, want 2 (Retrieve, Refresh)", got)
			}
		})
	}
}

func TestTheDefaultLoadTimeoutBoundsEveryLoad(t *testing.T) {
	c := NewCache(&fakeProvider{lifetime: time.Hour})
	if c.opts.LoadTimeout != defaultLoadTimeout {
		t.Errorf("LoadTimeout = %s by default, want %s", c.opts.LoadTimeout, defaultLoadTimeout)
	}
}

func TestTheZeroCacheFailsInTheCaller(t *testing.T) {
	var c Cache
	ctx := context.Background()
	for name, call := range map[string]func() (aws.Credentials, error){
		"Retrieve": func() (aws.Credentials, error) { return c.Retrieve(ctx) },
		"Refresh":  func() (aws.Credentials, error) { return c.Refresh(ctx) },
	} {
		_, err := call()
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "NewCache") {
			t.Errorf("%s on a zero Cache: %v, want an ErrInvalidConfig naming NewCache", name, err)
		}
	}
	c.Invalidate()
	if !c.Expired() || !c.NeedsRefresh() || !c.ExpireTime().IsZero() || c.Loading() {
		t.Error("a zero Cache should read as empty")
	}
}

// countingSessions is a source whose credentials are signed by the fake STS:
// GetSessionToken for user, each living until max(real, fake now) + 1 h so
// that the SDK's cache (on the real clock) keeps them.
type countingSessions struct {
	clk   *fakeclock.Clock
	p     aws.CredentialsProvider
	calls atomic.Int64
}

func (s *countingSessions) Retrieve(ctx context.Context) (aws.Credentials, error) {
	s.calls.Add(1)
	return s.p.Retrieve(ctx)
}

// TestTheSDKsCacheAsASource: the quick start passes cfg.Credentials (an
// *aws.CredentialsCache from config.LoadDefaultConfig) as Source. In the
// source's last 15 s that cache still hands out its credentials; the Cache
// around it must invalidate it and get fresh ones, so AssumeRole works.
func TestTheSDKsCacheAsASource(t *testing.T) {
	// The SDK's cache judges expiry by the real clock: start the fake one there.
	clk := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, user := newSTS(t, clk)
	session, err := NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) { o.Duration, o.Clock = time.Hour, clk })
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSessions{clk: clk, p: session}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithCredentialsProvider(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Credentials.(*aws.CredentialsCache); !ok {
		t.Fatalf("cfg.Credentials is %T, want the SDK's *aws.CredentialsCache", cfg.Credentials)
	}
	role, err := NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) { o.Source, o.Clock = cfg.Credentials, clk })
	if err != nil {
		t.Fatal(err)
	}
	first, err := role.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = first
	// 10 s before the source expires (fake time; the SDK still holds it).
	clk.Advance(time.Hour - 10*time.Second)
	if _, err := role.Retrieve(context.Background()); err != nil {
		t.Fatalf("AssumeRole in the source's last 10 s: %v", err)
	}
	if got := src.calls.Load(); got != 2 {
		t.Errorf("the source was fetched %d times, want 2 (the SDK cache invalidated once)", got)
	}
}

// TestTheSDKsCacheAroundACache: config.WithCredentialsProvider wraps any
// provider in an aws.CredentialsCache. With SDKCacheOptions that cache hands
// every decision back: it keeps our credentials only until our refresh
// point. This test runs on the real clock, because the SDK's cache reads
// its own (internal) clock: 1.2 s sessions, about 2.5 s in all.
func TestTheSDKsCacheAroundACache(t *testing.T) {
	const life = 1200 * time.Millisecond
	const hard = 200 * time.Millisecond
	var calls atomic.Int64
	issued := sync.Map{} // access key → real expiry
	p := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		n := calls.Add(1)
		c := aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n), SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: time.Now().Add(life)}
		issued.Store(c.AccessKeyID, c.Expires)
		return c, nil
	})
	cache := NewCache(p, func(o *CacheOptions) { o.Freshness.Min = hard; o.RefreshJitter = -1 })
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(cache), config.WithCredentialsCacheOptions(SDKCacheOptions))
	if err != nil {
		t.Fatal(err)
	}
	first, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Structural: the SDK keeps them only until our refresh point.
	if soft := time.Unix(0, cache.cur.Load().softAt); !first.Expires.Equal(soft) {
		t.Fatalf("the SDK cache keeps our credentials until %s, want our refresh point %s", first.Expires, soft)
	}
	seen := map[string]bool{}
	deadline := time.Now().Add(2*life + life/10)
	for i := 0; i < 5000 && time.Now().Before(deadline); i++ { // bounded
		creds, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		real, _ := issued.Load(creds.AccessKeyID)
		if left := time.Until(real.(time.Time)); left < hard-20*time.Millisecond {
			t.Fatalf("the SDK handed out %s with %s left, inside our %s expiry window", creds.AccessKeyID, left, hard)
		}
		seen[creds.AccessKeyID] = true
		time.Sleep(2 * time.Millisecond)
	}
	if len(seen) < 2 {
		t.Errorf("only %d credential sets over two lifetimes: refresh-ahead never ran behind the SDK cache", len(seen))
	}
}

func TestAnExpiryBeyond2262IsRefusedNotWrapped(t *testing.T) {
	for _, exp := range []time.Time{time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)} {
		c := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", CanExpire: true, Expires: exp}, nil
		}))
		if _, err := c.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "outside 1970 to 2261") {
			t.Errorf("expiry %s: %v, want a clear refusal", exp, err)
		}
	}
}

// TestRefreshIfDueNeverDoublesALoad: a timer calling RefreshIfDue loads
// only when the credentials are due, and never starts a second load right
// after one a caller triggered.
func TestRefreshIfDueNeverDoublesALoad(t *testing.T) {
	clk := fakeclock.New(t0)
	p := &fakeProvider{clk: clk, lifetime: time.Hour}
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk; o.RefreshJitter = -1 })
	ctx := context.Background()
	if err := c.RefreshIfDue(ctx); err != nil || p.calls.Load() != 1 {
		t.Fatalf("empty cache: %v, %d loads; want the first load", err, p.calls.Load())
	}
	if err := c.RefreshIfDue(ctx); err != nil || p.calls.Load() != 1 {
		t.Fatalf("fresh credentials: %v, %d loads; want none", err, p.calls.Load())
	}
	clk.Set(c.NextRefresh())
	// A caller triggers the background refresh first; the timer then finds
	// nothing due (or joins it), never a second load.
	if _, err := c.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.RefreshIfDue(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, c)
	if n := p.calls.Load(); n != 2 {
		t.Errorf("%d loads after a caller's refresh and the timer's, want 2", n)
	}
	var zero Cache
	if err := zero.RefreshIfDue(ctx); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("zero Cache: %v", err)
	}
}
