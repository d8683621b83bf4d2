package tempcreds_test

// Black-box tests of the library's promises, through public names only: what
// a Go program that imports tempcreds (and its ststest fake) can observe.

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/ststest"
)

// manualClock is a clock the test moves by hand (public names only).
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func (c *manualClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// The epoch of these tests: any fixed time works, nothing reads today's date.
var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// gatedProvider hands out credentials of the given lifetime on clk, one
// load at a time, each load waiting for the test to release it when gate
// is set. It records the contexts it was called with.
type gatedProvider struct {
	clk      *manualClock
	lifetime time.Duration
	gate     chan struct{} // nil: answer at once
	started  chan context.Context
	loads    atomic.Int64
}

func (p *gatedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	n := p.loads.Add(1)
	if p.started != nil {
		p.started <- ctx
	}
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return aws.Credentials{}, ctx.Err()
		}
	}
	return aws.Credentials{AccessKeyID: "FAKEKEY" + string(rune('A'+n%26)), SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: p.clk.Now().Add(p.lifetime)}, nil
}

type ctxKey struct{}

// TestALoadRunsOnTheCallersValuesWithoutItsCancellation: a trace ID in the
// caller's context reaches the provider; the caller cancelling does not
// cancel the load another caller waits for.
func TestALoadRunsOnTheCallersValuesWithoutItsCancellation(t *testing.T) {
	clk := &manualClock{now: epoch}
	p := &gatedProvider{clk: clk, lifetime: time.Hour, gate: make(chan struct{}), started: make(chan context.Context, 1)}
	c := tempcreds.NewCache(p, func(o *tempcreds.CacheOptions) { o.Clock = clk })

	first, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	firstErr := make(chan error, 1)
	go func() { _, err := c.Retrieve(first); firstErr <- err }()
	loadCtx := <-p.started
	if got := loadCtx.Value(ctxKey{}); got != "trace-1" {
		t.Errorf("the provider sees value %v, want the first caller's trace-1", got)
	}
	if _, ok := loadCtx.Deadline(); !ok {
		t.Error("the load has no deadline: LoadTimeout is not applied")
	}
	second := make(chan error, 1)
	go func() { _, err := c.Retrieve(context.Background()); second <- err }()

	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller got %v, want context.Canceled", err)
	}
	if loadCtx.Err() != nil {
		t.Fatalf("one caller's cancellation cancelled the load: %v", loadCtx.Err())
	}
	close(p.gate)
	if err := <-second; err != nil {
		t.Errorf("the caller still waiting got %v, want the load's credentials", err)
	}
	if n := p.loads.Load(); n != 1 {
		t.Errorf("%d loads, want 1 shared load", n)
	}
}

// TestInvalidateDuringALoadMeansTheNextRetrieveLoads: credentials loaded
// by a load that started before Invalidate are never kept.
func TestInvalidateDuringALoadMeansTheNextRetrieveLoads(t *testing.T) {
	clk := &manualClock{now: epoch}
	p := &gatedProvider{clk: clk, lifetime: time.Hour, gate: make(chan struct{}), started: make(chan context.Context, 2)}
	c := tempcreds.NewCache(p, func(o *tempcreds.CacheOptions) { o.Clock = clk })

	old := make(chan aws.Credentials, 1)
	go func() { creds, _ := c.Retrieve(context.Background()); old <- creds }()
	<-p.started
	c.Invalidate()
	next := make(chan aws.Credentials, 1)
	go func() { creds, _ := c.Retrieve(context.Background()); next <- creds }()
	<-p.started // the Retrieve after Invalidate started a load of its own
	close(p.gate)
	a, b := <-old, <-next
	if a.AccessKeyID == b.AccessKeyID {
		t.Fatalf("the Retrieve after Invalidate got the invalidated load's %s", a.AccessKeyID)
	}
	if got, _ := c.Retrieve(context.Background()); got.AccessKeyID != b.AccessKeyID {
		t.Errorf("the Cache kept %s, want the post-Invalidate load's %s", got.AccessKeyID, b.AccessKeyID)
	}
	if n := p.loads.Load(); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
}

// TestAFreshnessLiteralNeverDropsRefreshAhead: any literal that does not
// ask for it explicitly (a negative Ahead) refreshes ahead, for sessions
// from 30 s to 12 h; the defaults are values, not variables to overwrite.
func TestAFreshnessLiteralNeverDropsRefreshAhead(t *testing.T) {
	literals := map[string]tempcreds.Freshness{
		"zero":            {},
		"Min 30s":         {Min: 30 * time.Second},
		"Min 1m":          {Min: time.Minute},
		"MinFraction 0.5": {MinFraction: 0.5},
		"AheadFraction":   {AheadFraction: 0.1},
		"Ahead 10m":       {Ahead: 10 * time.Minute},
	}
	for name, f := range literals {
		for _, life := range []time.Duration{30 * time.Second, time.Minute, 15 * time.Minute, time.Hour, 12 * time.Hour} {
			if f.Need(life) >= life {
				continue // a session shorter than its Need is refused whole, not refreshed
			}
			if f.Lead(life) <= f.Need(life) {
				t.Errorf("%s, %s session: Lead %s ≤ Need %s: no refresh ahead", name, life, f.Lead(life), f.Need(life))
			}
		}
	}
	off := tempcreds.Freshness{Ahead: -1}
	if off.Lead(time.Hour) != off.Need(time.Hour) {
		t.Errorf("Ahead < 0: Lead %s, want Need %s (refresh-ahead off)", off.Lead(time.Hour), off.Need(time.Hour))
	}
	var zero tempcreds.Freshness
	if zero.Need(time.Hour) != 15*time.Second || zero.Lead(time.Hour) != 5*time.Minute || zero.Lead(15*time.Minute) != 225*time.Second {
		t.Errorf("defaults: Need %s, Lead %s (1h) and %s (15m); want 15s, 5m, 3m45s",
			zero.Need(time.Hour), zero.Lead(time.Hour), zero.Lead(15*time.Minute))
	}
}

// TestShortSessionsRefreshAhead: MinIO hands out 30 s sessions. Over 10
// minutes of 50 callers every 500 ms, no caller ever meets credentials in
// the hard window, so none waits for a refresh: each refresh runs in the
// background.
func TestShortSessionsRefreshAhead(t *testing.T) {
	clk := &manualClock{now: epoch}
	p := &gatedProvider{clk: clk, lifetime: 30 * time.Second}
	loaded := make(chan struct{}, 64)
	c := tempcreds.NewCache(p, func(o *tempcreds.CacheOptions) {
		o.Clock = clk
		o.OnLoad = func(time.Time, error) { loaded <- struct{}{} }
	})
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-loaded
	for step := 0; step < 1200; step++ { // bounded: 10 minutes of fake time
		clk.Advance(500 * time.Millisecond)
		if c.Expired() {
			t.Fatalf("at %s the callers would wait: the credentials are in the hard window", clk.Now().Sub(epoch))
		}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := c.Retrieve(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if c.Loading() {
			<-loaded // the background refresh finishes before time moves on
		}
		for len(loaded) > 0 {
			<-loaded
		}
	}
	// One load per session, refreshed from 18 s left, up to 20% earlier by
	// jitter but never before half the fresh part: 20 to 100 loads, never
	// one per call (60,000 calls).
	if n := p.loads.Load(); n < 20 || n > 100 {
		t.Errorf("%d loads of 30 s sessions in 10 min, want one per session (20 to 100)", n)
	}
}

// TestOneClockReachesEveryCacheOfAHandBuiltChain: a session-token source
// and a role over it, the clock set once per constructor and never on the
// source's Cache, live 6 fake hours: every STS call is signed by
// credentials valid on that clock (the fake STS refuses expired ones).
func TestOneClockReachesEveryCacheOfAHandBuiltChain(t *testing.T) {
	clk := &manualClock{now: epoch}
	s := ststest.New(ststest.WithClock(clk))
	defer s.Close()
	user := s.AddUser("alice")
	keys := credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")
	onClock := func(o *tempcreds.CacheOptions) { o.Clock = clk }

	// The source is built without a clock: the role's clock reaches it.
	session, err := tempcreds.NewSessionToken(s.Client(keys), func(o *tempcreds.SessionTokenOptions) { o.Duration = time.Hour })
	if err != nil {
		t.Fatal(err)
	}
	role, err := tempcreds.NewAssumeRole(s.Client(nil), "arn:aws:iam::123456789012:role/A", func(o *tempcreds.AssumeRoleOptions) {
		onClock(&o.CacheOptions)
		o.Source, o.Duration = session, 15*time.Minute
	})
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 6*60; step++ { // bounded: 6 hours in minutes
		if _, err := role.Retrieve(context.Background()); err != nil {
			t.Fatalf("at %s: %v", clk.Now().Sub(epoch), err)
		}
		clk.Advance(time.Minute)
	}
	if n := s.Count("GetSessionToken"); n < 6 || n > 12 {
		t.Errorf("%d GetSessionToken calls in 6 h of 1 h sessions, want about 7", n)
	}
}

// TestProviderSourcesTellTheChain: the SDK's feature tracking sees every
// step of a chain, source first.
func TestProviderSourcesTellTheChain(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("alice")
	keys := credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")
	session, err := tempcreds.NewSessionToken(s.Client(keys))
	if err != nil {
		t.Fatal(err)
	}
	role, err := tempcreds.NewAssumeRole(s.Client(nil), "arn:aws:iam::123456789012:role/A",
		func(o *tempcreds.AssumeRoleOptions) { o.Source = session })
	if err != nil {
		t.Fatal(err)
	}
	var tracked aws.CredentialProviderSource = role
	want := []aws.CredentialSource{aws.CredentialSourceSTSSessionToken, aws.CredentialSourceSTSAssumeRole}
	if got := tracked.ProviderSources(); !slices.Equal(got, want) {
		t.Errorf("ProviderSources = %v, want %v", got, want)
	}
	web, err := tempcreds.NewWebIdentity(s.Client(nil), "arn:aws:iam::123456789012:role/W", tempcreds.NewStaticToken("t"))
	if err != nil {
		t.Fatal(err)
	}
	if got := web.ProviderSources(); !slices.Equal(got, []aws.CredentialSource{aws.CredentialSourceSTSAssumeRoleWebID}) {
		t.Errorf("web identity ProviderSources = %v", got)
	}
}

// TestTheSDKsCacheWithoutSDKCacheOptionsIsReportedOnce: wrapped by
// aws.NewCredentialsCache without SDKCacheOptions, the Cache warns once
// through its Logger; with them, never.
func TestTheSDKsCacheWithoutSDKCacheOptionsIsReportedOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []func(*aws.CredentialsCacheOptions)
		want int
	}{
		{"without SDKCacheOptions", nil, 1},
		{"with SDKCacheOptions", []func(*aws.CredentialsCacheOptions){tempcreds.SDKCacheOptions}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The SDK's cache judges expiry by the real clock: credentials
			// that expired a second ago (real time) make it ask on every
			// call. The Cache's clock is a day behind while the provider
			// answers, and at the real time between calls: each call finds
			// the last credentials expired, so each is a load.
			clk := &manualClock{}
			var logs bytes.Buffer
			c := tempcreds.NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				clk.Set(time.Now().Add(-24 * time.Hour))
				return aws.Credentials{AccessKeyID: "FAKEKEY", SecretAccessKey: "fake", CanExpire: true,
					Expires: time.Now().Add(-time.Second)}, nil
			}), func(o *tempcreds.CacheOptions) {
				o.Clock, o.Logger = clk, slog.New(slog.NewTextHandler(&logs, nil))
			})
			sdk := aws.NewCredentialsCache(c, tc.opts...)
			for range 4 {
				clk.Set(time.Now())
				if _, err := sdk.Retrieve(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Count(logs.String(), "wraps this tempcreds.Cache"); got != tc.want {
				t.Errorf("%d warnings, want %d: %s", got, tc.want, logs.String())
			}
		})
	}
}

// TestErrorsNameTheHopThatFailedAndWhy: a chain's error names the hop
// that failed (not only the last role) with AWS's code, and a failure to
// reach STS names the endpoint and why, not the SDK's wrapped noise.
func TestErrorsNameTheHopThatFailedAndWhy(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("ana")
	keys := credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")
	const inner, outer = "arn:aws:iam::123456789012:role/Inner", "arn:aws:iam::123456789012:role/Outer"
	chain := func(client tempcreds.STSClient) *tempcreds.Cache {
		src, err := tempcreds.NewAssumeRole(client, inner)
		if err != nil {
			t.Fatal(err)
		}
		c, err := tempcreds.NewAssumeRole(client, outer, func(o *tempcreds.AssumeRoleOptions) { o.Source = src })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A port nothing listens on: the connection is refused at once.
	closed := ststest.New()
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name   string
		client tempcreds.STSClient
		fault  bool
		want   []string
		never  []string
	}{
		{"the inner hop is throttled", s.Client(keys, func(o *sts.Options) { o.RetryMaxAttempts = 1 }), true,
			[]string{"AssumeRole " + outer + ": getting the source credentials: AssumeRole " + inner + ": Throttling: Rate exceeded"}, nil},
		{"STS cannot be reached", sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(closedURL), Credentials: keys, RetryMaxAttempts: 1}), false,
			[]string{"AssumeRole " + inner + ": cannot reach STS at " + closedURL}, []string{"operation error", "StatusCode: 0", "RequestID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault {
				s.InjectFaults(ststest.Fault{Code: "Throttling", Message: "Rate exceeded", Status: 400})
			}
			_, err := chain(tt.client).Retrieve(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error %q says %q", err, n)
				}
			}
		})
	}
}
