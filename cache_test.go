package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/ststest"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// waitIdle waits (bounded) until no load runs in c.
func waitIdle(t testing.TB, caches ...*Cache) {
	t.Helper()
	for _, c := range caches {
		// Bounded by wall time, not by iterations: a loaded machine (two
		// cores, other suites) can take seconds to schedule the loader.
		deadline := time.Now().Add(30 * time.Second)
		for i := 0; c.loading.Load(); i++ {
			if time.Now().After(deadline) {
				t.Fatal("a load is still running after 30s")
			}
			if i%100 == 99 {
				time.Sleep(10 * time.Microsecond)
			}
			runtime.Gosched()
		}
	}
}

// fakeProvider hands out numbered credentials that live for lifetime.
type fakeProvider struct {
	clk      *fakeclock.Clock
	lifetime time.Duration
	calls    atomic.Int64
	fail     atomic.Bool
	gate     chan struct{} // if set, each call waits for it
}

func (p *fakeProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	if p.gate != nil {
		<-p.gate
	}
	if p.fail.Load() {
		return aws.Credentials{}, errors.New("sts is down")
	}
	return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n), SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: p.clk.Now().Add(p.lifetime)}, nil
}

func newSTS(t testing.TB, clk *fakeclock.Clock) (*ststest.Server, aws.Credentials) {
	t.Helper()
	s := ststest.New(ststest.WithClock(clk))
	t.Cleanup(s.Close)
	return s, s.AddUser("alice")
}

func staticProvider(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

func TestManyCallersOnAnEmptyCacheShareOneSTSCall(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	p, err := NewAssumeRole(s.Client(staticProvider(user)), "arn:aws:iam::123456789012:role/A")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
	gate := make(chan struct{})
	s.InjectFaults(ststest.Fault{Hold: gate})

	const n = 10_000
	var started, done sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	started.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			creds, err := c.Retrieve(context.Background())
			keys[i], errs[i] = creds.AccessKeyID, err
		}()
	}
	started.Wait()
	close(gate)
	done.Wait()
	if got := s.Count("AssumeRole"); got != 1 {
		t.Errorf("STS AssumeRole calls = %d, want 1", got)
	}
	for i := range n {
		if errs[i] != nil || keys[i] != keys[0] || keys[0] == "" {
			t.Fatalf("caller %d got %q, %v; caller 0 got %q", i, keys[i], errs[i], keys[0])
		}
	}
}

func TestSoftWindowServesAtOnceAndRefreshesOnce(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	p, _ := NewAssumeRole(s.Client(staticProvider(user)), "arn:aws:iam::123456789012:role/A")
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
	first, err := c.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(first.Expires.Add(-4 * time.Minute)) // inside the 5-minute soft window

	gate := make(chan struct{})
	s.InjectFaults(ststest.Fault{Latency: 200 * time.Millisecond, Hold: gate})
	var wg sync.WaitGroup
	var stale atomic.Int64
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			creds, err := c.Retrieve(context.Background())
			if err == nil && creds.AccessKeyID == first.AccessKeyID {
				stale.Add(1)
			}
		}()
	}
	wg.Wait() // all returned while STS is still holding the refresh
	close(gate)
	if stale.Load() != 1000 {
		t.Errorf("%d of 1000 callers got the cached credentials at once", stale.Load())
	}
	waitIdle(t, c)
	if got := s.Count("AssumeRole"); got != 2 {
		t.Errorf("AssumeRole calls = %d, want 2 (the first load and one refresh)", got)
	}
	next, err := c.Retrieve(context.Background())
	if err != nil || next.AccessKeyID == first.AccessKeyID {
		t.Errorf("after the refresh: %q, %v; want new credentials", next.AccessKeyID, err)
	}
}

func TestFailingBackgroundRefreshKeepsServingAndBacksOff(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	p, _ := NewAssumeRole(s.Client(staticProvider(user)), "arn:aws:iam::123456789012:role/A")
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
	ctx := context.Background()
	first, err := c.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.SetFaultFunc(func(string) *ststest.Fault { return &ststest.Fault{Status: 503} })
	clk.Set(first.Expires.Add(-5 * time.Minute))
	// Call every second through the soft window (4m45s).
	for clk.Now().Before(first.Expires.Add(-Freshness{}.Need(0))) {
		creds, err := c.Retrieve(ctx)
		if err != nil || creds.AccessKeyID != first.AccessKeyID {
			t.Fatalf("at %s: %q, %v; want the still-valid credentials", clk.Now().Sub(first.Expires), creds.AccessKeyID, err)
		}
		waitIdle(t, c)
		clk.Advance(time.Second)
	}
	// Backoff doubles from 1 s (jittered to [d/2, d]) up to 1 min: in 285 s at
	// most 0.5+1+2+4+8+16 s for the first six tries, then one per 30 s at least.
	outage := s.Count("AssumeRole") - 1
	if outage < 5 || outage > 16 {
		t.Errorf("STS calls during the 285 s outage = %d, want between 5 and 16 (backoff)", outage)
	}
	t.Logf("STS calls during a 285 s outage with a caller every second: %d", outage)

	// Hard window with STS down: an error, never the old credentials.
	creds, err := c.Retrieve(ctx)
	if err == nil || creds.AccessKeyID != "" {
		t.Fatalf("in the hard window with STS down: %q, %v; want an error", creds.AccessKeyID, err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code() != "ServiceUnavailable" {
		t.Errorf("error = %v, want a tempcreds.Error with code ServiceUnavailable", err)
	}

	// STS recovers: the next call loads.
	s.SetFaultFunc(nil)
	creds, err = c.Retrieve(ctx)
	if err != nil || creds.AccessKeyID == first.AccessKeyID {
		t.Errorf("after recovery: %q, %v", creds.AccessKeyID, err)
	}
}

func TestHardWindowAndExpiryRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		lifetime time.Duration
		at       time.Duration // since the load
		wantNew  bool          // Retrieve must load new credentials
	}{
		{"fresh credentials are served from the cache", time.Hour, 30 * time.Minute, false},
		{"credentials in the soft window are served", time.Hour, 56 * time.Minute, false},
		{"credentials 15 s from expiry are never served", time.Hour, time.Hour - 15*time.Second, true},
		{"expired credentials are never served (laptop slept through expiry)", time.Hour, 9 * time.Hour, true},
		{"a 15-minute session's soft window is capped to a quarter of it", 15 * time.Minute, 11 * time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			p := &fakeProvider{clk: clk, lifetime: tc.lifetime}
			c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
			first, _ := c.Retrieve(ctx)
			clk.Advance(tc.at)
			got, err := c.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (got.AccessKeyID != first.AccessKeyID) != tc.wantNew {
				t.Errorf("got %s after %s, first was %s; want new = %v", got.AccessKeyID, tc.at, first.AccessKeyID, tc.wantNew)
			}
			if !got.Expires.Equal(clk.Now().Add(tc.lifetime)) && tc.wantNew {
				t.Errorf("Expires = %v, want the provider's real expiry", got.Expires)
			}
		})
	}

	t.Run("jitter starts the refresh up to 20% of its lead earlier", func(t *testing.T) {
		earliest, latest := time.Duration(1<<62), time.Duration(0)
		for range 200 {
			clk := fakeclock.New(t0)
			c := NewCache(&fakeProvider{clk: clk, lifetime: time.Hour}, func(o *CacheOptions) { o.Clock = clk })
			_, _ = c.Retrieve(ctx)
			left := time.Duration(c.cur.Load().creds.Expires.UnixNano() - c.cur.Load().softAt)
			earliest, latest = min(earliest, left), max(latest, left)
		}
		if earliest < 5*time.Minute || latest > 5*time.Minute+57*time.Second || latest-earliest < 30*time.Second {
			t.Errorf("refresh starts between %s and %s before expiry; want spread over 5m to 5m57s", earliest, latest)
		}
	})

	t.Run("a 15-minute session refreshes 3m45s before expiry, not 5 minutes", func(t *testing.T) {
		clk := fakeclock.New(t0)
		c := NewCache(&fakeProvider{clk: clk, lifetime: 15 * time.Minute}, func(o *CacheOptions) { o.Clock = clk; o.RefreshJitter = -1 })
		creds, _ := c.Retrieve(ctx)
		clk.Set(creds.Expires.Add(-3*time.Minute - 46*time.Second))
		if c.NeedsRefresh() {
			t.Error("NeedsRefresh 3m46s before expiry")
		}
		clk.Advance(2 * time.Second)
		if !c.NeedsRefresh() || c.Expired() {
			t.Error("want NeedsRefresh and not Expired 3m44s before expiry")
		}
		clk.Set(creds.Expires.Add(-Freshness{}.Need(0)))
		if !c.Expired() {
			t.Error("want Expired inside the hard window")
		}
		if !c.ExpireTime().Equal(creds.Expires) {
			t.Errorf("ExpireTime = %v, want %v", c.ExpireTime(), creds.Expires)
		}
	})

	t.Run("credentials that arrive inside the hard window are refused", func(t *testing.T) {
		clk := fakeclock.New(t0)
		c := NewCache(&fakeProvider{clk: clk, lifetime: 10 * time.Second}, func(o *CacheOptions) { o.Clock = clk })
		_, err := c.Retrieve(ctx)
		var e *ExpiredCredentialsError
		if !errors.As(err, &e) {
			t.Fatalf("err = %v, want ExpiredCredentialsError", err)
		}
	})

	t.Run("static credentials never refresh", func(t *testing.T) {
		clk := fakeclock.New(t0)
		var calls atomic.Int64
		c := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			calls.Add(1)
			return aws.Credentials{AccessKeyID: "AKIAFAKE", SecretAccessKey: "fake"}, nil
		}), func(o *CacheOptions) { o.Clock = clk })
		for range 100 {
			if _, err := c.Retrieve(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Advance(24 * time.Hour)
		}
		if calls.Load() != 1 || c.NeedsRefresh() || c.Expired() {
			t.Errorf("calls = %d, NeedsRefresh = %v; want 1 and false", calls.Load(), c.NeedsRefresh())
		}
	})

	t.Run("Refresh always loads and Invalidate forgets", func(t *testing.T) {
		clk := fakeclock.New(t0)
		p := &fakeProvider{clk: clk, lifetime: time.Hour}
		c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
		a, _ := c.Retrieve(ctx)
		b, _ := c.Refresh(ctx)
		c.Invalidate()
		if !c.Expired() {
			t.Error("not Expired after Invalidate")
		}
		d, _ := c.Retrieve(ctx)
		if a.AccessKeyID == b.AccessKeyID || b.AccessKeyID == d.AccessKeyID || p.calls.Load() != 3 {
			t.Errorf("keys %s %s %s after %d calls; want three different", a.AccessKeyID, b.AccessKeyID, d.AccessKeyID, p.calls.Load())
		}
	})

	t.Run("wrapping a Cache returns it unchanged", func(t *testing.T) {
		c := NewCache(&fakeProvider{lifetime: time.Hour})
		if NewCache(c) != c {
			t.Error("NewCache(cache) made a new Cache")
		}
	})
}

func TestAPanickingProviderReleasesEveryWaiter(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"a runtime error is reported as is", nil, "index out of range"},
		{"any other value is reduced to its type", "secret-value-do-not-print", "value of type string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gate := make(chan struct{})
			c := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				<-gate
				if tc.value == nil {
					var s []int
					_ = s[3]
				}
				panic(tc.value)
			}))
			var wg sync.WaitGroup
			errs := make(chan error, 50)
			for range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.Retrieve(context.Background())
					errs <- err
				}()
			}
			for !c.loading.Load() {
				runtime.Gosched()
			}
			close(gate)
			wg.Wait()
			close(errs)
			for err := range errs {
				var pe *ProviderPanicError
				if !errors.As(err, &pe) || !contains(err.Error(), tc.want) || contains(err.Error(), "secret-value") {
					t.Fatalf("err = %v, want a ProviderPanicError mentioning %q", err, tc.want)
				}
			}
		})
	}
}

func TestACancelledWaiterDoesNotCancelTheSharedLoad(t *testing.T) {
	clk := fakeclock.New(t0)
	p := &fakeProvider{clk: clk, lifetime: time.Hour, gate: make(chan struct{})}
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error)
	go func() {
		_, err := c.Retrieve(ctx)
		cancelled <- err
	}()
	patient := make(chan error)
	go func() {
		_, err := c.Retrieve(context.Background())
		patient <- err
	}()
	for p.calls.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v, want context.Canceled", err)
	}
	close(p.gate)
	if err := <-patient; err != nil {
		t.Errorf("patient waiter: %v", err)
	}
	if p.calls.Load() != 1 {
		t.Errorf("provider calls = %d, want 1", p.calls.Load())
	}
}

// TestNeverHandsOutExpiredCredentials runs a simulated week: the clock jumps
// by random steps (sometimes hours, as a sleeping laptop), the provider fails
// at random and sometimes hands out skewed, short-lived credentials. No
// Retrieve may ever return credentials inside the hard window.
func TestNeverHandsOutExpiredCredentials(t *testing.T) {
	clk := fakeclock.New(t0)
	rng := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	var calls int
	var outageUntil time.Time // STS is down until then
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if clk.Now().Before(outageUntil) || rng.IntN(5) == 0 {
			return aws.Credentials{}, errors.New("Throttling: Rate exceeded")
		}
		lifetime := time.Duration(15+rng.IntN(105)) * time.Minute
		skew := time.Duration(rng.IntN(60)) * time.Second // latency / clock skew eats some lifetime
		if rng.IntN(50) == 0 {
			skew = lifetime // already expired on arrival
		}
		return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", calls), SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: clk.Now().Add(lifetime - skew)}, nil
	})
	c := NewCache(provider, func(o *CacheOptions) { o.Clock = clk })
	end := t0.Add(7 * 24 * time.Hour)
	var served, failed int
	for clk.Now().Before(end) {
		step := time.Duration(rng.IntN(60_000)) * time.Millisecond
		if rng.IntN(200) == 0 {
			step = time.Duration(1+rng.IntN(10)) * time.Hour
		}
		clk.Advance(step)
		mu.Lock()
		if rng.IntN(100) == 0 {
			outageUntil = clk.Now().Add(time.Duration(1+rng.IntN(30)) * time.Minute)
		}
		mu.Unlock()
		creds, err := c.Retrieve(context.Background())
		now := clk.Now()
		if err != nil {
			failed++
		} else {
			served++
			if left := creds.Expires.Sub(now); left < (Freshness{}).Need(0) {
				t.Fatalf("at %s served credentials with %s left", now, left)
			}
		}
		waitIdle(t, c)
	}
	t.Logf("simulated 7 days: %d credentials served, %d errors, %d provider calls, 0 expired", served, failed, calls)
	if served < 1000 {
		t.Errorf("only %d successful Retrieves: the simulation did not exercise the cache", served)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
