package tempcreds

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/internal/tokencmd"
	"github.com/tempcreds/tempcreds/internal/warnlog"
	"github.com/tempcreds/tempcreds/ststest"
)

const (
	roleA = "arn:aws:iam::123456789012:role/A"
	roleB = "arn:aws:iam::123456789012:role/B"
	mfa   = "arn:aws:iam::123456789012:mfa/alice"
)

func TestChainRefreshesEveryHopOnlyWhenDueForSixHours(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	client := s.Client(nil)
	clockOpt := func(o *CacheOptions) { o.Clock = clk }

	pB, err := NewAssumeRole(client, roleB, func(o *AssumeRoleOptions) { o.Source = staticProvider(user) })
	if err != nil {
		t.Fatal(err)
	}
	b := NewCache(pB, clockOpt)
	pA, err := NewAssumeRole(client, roleA, func(o *AssumeRoleOptions) { o.Source = b })
	if err != nil {
		t.Fatal(err)
	}
	a := NewCache(pA, clockOpt)

	end := t0.Add(6 * time.Hour)
	for ; clk.Now().Before(end); clk.Advance(time.Minute) {
		creds, err := a.Retrieve(context.Background())
		if err != nil {
			t.Fatalf("at +%s: %v", clk.Now().Sub(t0), err)
		}
		id, ok := s.Identity(creds.AccessKeyID)
		if !ok || id.RoleARN != roleA || creds.Expires.Sub(clk.Now()) < (Freshness{}).Need(0) {
			t.Fatalf("at +%s: got %+v, want valid role A credentials", clk.Now().Sub(t0), id)
		}
		waitIdle(t, a, b)
	}

	// Every AssumeRole(A) was signed by role B credentials that role B's
	// cache held at the time: the newest or, during B's own background
	// refresh, the one before.
	var bKeys []string
	for _, call := range s.Calls() {
		switch call.RoleARN {
		case roleB:
			if call.SignedBy != user.AccessKeyID {
				t.Errorf("AssumeRole(B) signed by %s, want the user's keys", call.SignedBy)
			}
			bKeys = append(bKeys, call.Issued)
		case roleA:
			n := len(bKeys)
			if n == 0 || (call.SignedBy != bKeys[n-1] && (n < 2 || call.SignedBy != bKeys[n-2])) {
				t.Errorf("AssumeRole(A) at %s signed by %s, want role B's current credentials %v", call.At, call.SignedBy, bKeys)
			}
			if call.ErrorCode != "" {
				t.Errorf("AssumeRole(A) failed: %s", call.ErrorCode)
			}
		}
	}
	// 1-hour sessions refreshed 5 minutes early: 6 h / 55 min ≈ 6.5 → 7 calls.
	nA, nB := 0, len(bKeys)
	for _, call := range s.Calls() {
		if call.RoleARN == roleA {
			nA++
		}
	}
	t.Logf("6 simulated hours: AssumeRole(A) %d calls, AssumeRole(B) %d calls", nA, nB)
	for hop, n := range map[string]int{"A": nA, "B": nB} {
		if n < 6 || n > 8 {
			t.Errorf("role %s: %d STS calls in 6 h, want about 6h/55min ≈ 7", hop, n)
		}
	}
}

func TestRoleChainingCap(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	ctx := context.Background()
	session, err := NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) { o.Clock = clk })
	if err != nil {
		t.Fatal(err)
	}
	clockOpt := func(o *CacheOptions) { o.Clock = clk }

	tests := []struct {
		name   string
		build  func(warn func(string)) (*Cache, error)
		capped bool
	}{
		{"2h from long-term keys is sent as asked", func(warn func(string)) (*Cache, error) {
			return NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) {
				o.Source, o.Duration, o.Logger, o.Clock = staticProvider(user), 2*time.Hour, warnlog.New(warn), clk
			})
		}, false},
		{"2h from session-token credentials is capped to 1h with a warning", func(warn func(string)) (*Cache, error) {
			return NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) {
				o.Source, o.Duration, o.Logger, o.Clock = session, 2*time.Hour, warnlog.New(warn), clk
			})
		}, true},
		{"2h with the client's own temporary credentials is capped after AWS refuses it", func(warn func(string)) (*Cache, error) {
			return NewAssumeRole(opaqueClient{s.Client(NewCache(session, clockOpt))}, roleA, func(o *AssumeRoleOptions) {
				o.Duration, o.Logger, o.Clock = 2*time.Hour, warnlog.New(warn), clk
			})
		}, true},
		{"2h with the client's own temporary credentials it can see is capped first", func(warn func(string)) (*Cache, error) {
			return NewAssumeRole(s.Client(NewCache(session, clockOpt)), roleA, func(o *AssumeRoleOptions) {
				o.Duration, o.Logger, o.Clock = 2*time.Hour, warnlog.New(warn), clk
			})
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var warnings []string
			p, err := tc.build(func(m string) { warnings = append(warnings, m) })
			if err != nil {
				t.Fatal(err)
			}
			creds, err := p.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := 2 * time.Hour
			if tc.capped {
				want = time.Hour
			}
			if got := creds.Expires.Sub(clk.Now()); got != want {
				t.Errorf("session lasts %s, want %s", got, want)
			}
			if tc.capped != (len(warnings) == 1) {
				t.Errorf("warnings = %q, want one iff capped", warnings)
			}
			if tc.capped && !strings.Contains(warnings[0], "capped to 1h") {
				t.Errorf("warning %q does not name the cap", warnings[0])
			}
		})
	}
}

// opaqueClient hides the STS client's options, as a user's wrapper might.
type opaqueClient struct{ STSClient }

func TestMFA(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	secret := []byte("fake-totp-secret-for-tests")
	s.AddMFADevice(mfa, secret)
	ctx := context.Background()

	var inFlight, maxInFlight, asked atomic.Int64
	code := func(_ context.Context, serial string) (string, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		asked.Add(1)
		if serial != mfa {
			return "", errors.New("unknown serial")
		}
		return ststest.TOTP(secret, clk.Now()), nil
	}
	p, err := NewAssumeRole(s.Client(staticProvider(user)), roleA, func(o *AssumeRoleOptions) {
		o.SerialNumber, o.TokenCode = mfa, code
	})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })

	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Retrieve(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if asked.Load() != 1 || maxInFlight.Load() != 1 {
		t.Fatalf("100 concurrent callers: token code asked %d times (max %d at once), want 1", asked.Load(), maxInFlight.Load())
	}
	for i := range 3 {
		clk.Advance(30 * time.Second)
		if _, err := c.Refresh(ctx); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	if asked.Load() != 4 {
		t.Errorf("token code asked %d times for 4 loads", asked.Load())
	}

	// The same code again within its 30-second step is refused by STS.
	_, err = c.Refresh(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Code() != "AccessDenied" || !strings.Contains(err.Error(), "already been used") || e.RoleARN != roleA {
		t.Errorf("reused code: %v, want AccessDenied naming the reuse", err)
	}

	t.Run("a serial without a callback is a construction error", func(t *testing.T) {
		_, err := NewSessionToken(s.Client(nil), func(o *SessionTokenOptions) { o.SerialNumber = mfa })
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "no TokenCode callback") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a code that is not 6 digits never reaches STS", func(t *testing.T) {
		before := s.Count("GetSessionToken")
		p, _ := NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) {
			o.SerialNumber = mfa
			o.TokenCode = func(context.Context, string) (string, error) { return "12345", nil }
		})
		_, err := p.Retrieve(ctx)
		if err == nil || !strings.Contains(err.Error(), "must be 6 digits") || s.Count("GetSessionToken") != before {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("GetSessionToken with MFA", func(t *testing.T) {
		clk.Advance(time.Minute)
		p, _ := NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) {
			o.SerialNumber, o.TokenCode, o.Duration, o.Clock = mfa, code, 36*time.Hour, clk
		})
		creds, err := p.Retrieve(ctx)
		if err != nil || creds.Expires.Sub(clk.Now()) != 36*time.Hour || creds.Source != sourceSessionToken {
			t.Errorf("creds %v, err %v", creds.Expires, err)
		}
	})
}

func TestWebIdentityTokenSources(t *testing.T) {
	clk := fakeclock.New(t0)
	s, _ := newSTS(t, clk)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.TrustJWTKey(&key.PublicKey, "sts.amazonaws.com")
	jwt := func(sub string) string {
		return ststest.SignJWT(key, ststest.Claims{Sub: sub, Aud: "sts.amazonaws.com", Exp: clk.Now().Add(time.Hour).Unix()})
	}
	ctx := context.Background()
	lastSubject := func() string { calls := s.Calls(); return calls[len(calls)-1].Subject }

	t.Run("a rewritten token file is read again on the next refresh", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "token")
		p, err := NewWebIdentity(s.Client(nil), roleA, TokenFile(path))
		if err != nil {
			t.Fatal(err)
		}
		c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
		_, err = c.Retrieve(ctx)
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("missing file: %v, want a clear error", err)
		}
		if err := os.WriteFile(path, []byte(jwt("first")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Retrieve(ctx); err != nil || lastSubject() != "first" {
			t.Fatalf("after the file appeared: %v, subject %q", err, lastSubject())
		}
		if err := os.WriteFile(path, []byte(jwt("second")), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Refresh(ctx); err != nil || lastSubject() != "second" {
			t.Fatalf("after rewriting: %v, subject %q", err, lastSubject())
		}
	})
	t.Run("a replaced static token is used on the next refresh", func(t *testing.T) {
		tok := NewStaticToken(jwt("old"))
		p, _ := NewWebIdentity(s.Client(nil), roleA, tok, func(o *WebIdentityOptions) { o.Clock = clk })
		if _, err := p.Retrieve(ctx); err != nil || lastSubject() != "old" {
			t.Fatal(err, lastSubject())
		}
		tok.Set(jwt("new"))
		if _, err := p.Refresh(ctx); err != nil || lastSubject() != "new" {
			t.Fatal(err, lastSubject())
		}
	})
	t.Run("a command's output is the token", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(path, []byte(jwt("command")), 0o600); err != nil {
			t.Fatal(err)
		}
		p, _ := NewWebIdentity(s.Client(nil), roleA, tokencmd.Command{Argv: []string{"cat", path}}, func(o *WebIdentityOptions) { o.Clock = clk })
		if _, err := p.Retrieve(ctx); err != nil || lastSubject() != "command" {
			t.Fatal(err, lastSubject())
		}
		p, _ = NewWebIdentity(s.Client(nil), roleA, tokencmd.Command{Argv: []string{"false"}})
		if _, err := p.Retrieve(ctx); err == nil || !strings.Contains(err.Error(), `token command "false" failed`) {
			t.Errorf("failing command: %v", err)
		}
	})
	t.Run("a callback is asked on every load", func(t *testing.T) {
		var n atomic.Int64
		p, _ := NewWebIdentity(s.Client(nil), roleA, TokenFunc(func(context.Context) (string, error) {
			n.Add(1)
			return jwt("callback"), nil
		}), func(o *WebIdentityOptions) { o.Duration, o.Clock = 15*time.Minute, clk })
		for range 2 {
			creds, err := p.Refresh(ctx)
			if err != nil || creds.Expires.Sub(clk.Now()) != 15*time.Minute {
				t.Fatal(err)
			}
		}
		if n.Load() != 2 {
			t.Errorf("callback asked %d times for 2 loads", n.Load())
		}
		calls := s.Calls()
		if got := calls[len(calls)-1].Params.Get("DurationSeconds"); got != "900" {
			t.Errorf("DurationSeconds sent = %q, want 900", got)
		}
	})
	t.Run("DurationSeconds is sent only when set, and the call is unsigned", func(t *testing.T) {
		p, _ := NewWebIdentity(s.Client(nil), roleA, NewStaticToken(jwt("x")), func(o *WebIdentityOptions) { o.Clock = clk })
		if _, err := p.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
		calls := s.Calls()
		last := calls[len(calls)-1]
		if last.Params.Has("DurationSeconds") || last.SignedBy != "" || last.Params.Get("RoleSessionName") != defaultWebIdentitySessionName {
			t.Errorf("call params %v, signed by %q", last.Params, last.SignedBy)
		}
	})
	t.Run("a refused token gives a clear error without the token", func(t *testing.T) {
		bad := ststest.SignJWT(key, ststest.Claims{Sub: "x", Aud: "someone-else", Exp: clk.Now().Add(time.Hour).Unix()})
		p, _ := NewWebIdentity(s.Client(nil), roleA, NewStaticToken(bad))
		_, err := p.Retrieve(ctx)
		var e *Error
		if !errors.As(err, &e) || e.Code() != "InvalidIdentityToken" || strings.Contains(err.Error(), bad) ||
			!strings.Contains(err.Error(), "Incorrect token audience") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestTemporaryChoosesTheCall(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	ctx := context.Background()
	withRole, err := NewTemporary(s.Client(nil), TemporaryParams{RoleARN: roleA, Source: staticProvider(user)}, func(o *CacheOptions) { o.Clock = clk })
	if err != nil {
		t.Fatal(err)
	}
	noRole, err := NewTemporary(s.Client(nil), TemporaryParams{Source: staticProvider(user)}, func(o *CacheOptions) { o.Clock = clk })
	if err != nil {
		t.Fatal(err)
	}
	if c, err := withRole.Retrieve(ctx); err != nil || c.Source != sourceAssumeRole || c.AccountID != "123456789012" {
		t.Errorf("with a role: %+v, %v", c.Source, err)
	}
	if c, err := noRole.Retrieve(ctx); err != nil || c.Source != sourceSessionToken {
		t.Errorf("without a role: %+v, %v", c.Source, err)
	}
	if s.Count("AssumeRole") != 1 || s.Count("GetSessionToken") != 1 {
		t.Errorf("calls: AssumeRole %d, GetSessionToken %d", s.Count("AssumeRole"), s.Count("GetSessionToken"))
	}
	if _, err := NewTemporary(s.Client(nil), TemporaryParams{ExternalID: "abc"}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("ExternalID without a role: %v", err)
	}
}

func TestConstructionErrors(t *testing.T) {
	clk := fakeclock.New(t0)
	s, _ := newSTS(t, clk)
	c := s.Client(nil)
	tests := []struct {
		name string
		opt  func(*AssumeRoleOptions)
		arn  string
		want string
	}{
		{"empty role ARN", nil, "", "a role ARN is required"},
		{"not an ARN", nil, "role/A-but-not-an-arn", "is not a role ARN"},
		{"bad session name", func(o *AssumeRoleOptions) { o.RoleSessionName = "has space" }, roleA, "must be 2 to 64 characters"},
		{"duration below 15m", func(o *AssumeRoleOptions) { o.Duration = time.Minute }, roleA, "outside what STS allows for assume-role (15m0s to 12h0m0s)"},
		{"duration above 12h", func(o *AssumeRoleOptions) { o.Duration = 13 * time.Hour }, roleA, "13h0m0s is outside what STS allows for assume-role"},
		{"fractional duration", func(o *AssumeRoleOptions) { o.Duration = 1000500 * time.Millisecond }, roleA, "is not a whole, positive number of seconds"},
		{"short external ID", func(o *AssumeRoleOptions) { o.ExternalID = "x" }, roleA, "ExternalID must be 2 to 1224"},
		{"policy not JSON", func(o *AssumeRoleOptions) { o.Policy = "{nope" }, roleA, "not valid JSON"},
		{"policy too long", func(o *AssumeRoleOptions) { o.Policy = `"` + strings.Repeat("x", 2100) + `"` }, roleA, "STS allows 2048"},
		{"11 policy ARNs", func(o *AssumeRoleOptions) { o.PolicyARNs = make([]string, 11) }, roleA, "STS allows 10"},
		{"transitive key not a tag", func(o *AssumeRoleOptions) { o.TransitiveTagKeys = []string{"team"} }, roleA, "is not one of the session tags"},
		{"MFA serial without callback", func(o *AssumeRoleOptions) { o.SerialNumber = mfa }, roleA, "no TokenCode callback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*AssumeRoleOptions)
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			_, err := NewAssumeRole(c, tc.arn, opts...)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSTSFailuresAreClearErrors(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	p, _ := NewAssumeRole(s.Client(staticProvider(user)), roleA)
	tests := []struct {
		fault ststest.Fault
		want  string
	}{
		{ststest.Fault{Code: "Throttling"}, "tempcreds: AssumeRole " + roleA + ": Throttling: Rate exceeded"},
		{ststest.Fault{Code: "ExpiredToken"}, "ExpiredToken: The security token included in the request is expired (the source credentials have expired"},
		{ststest.Fault{Status: 503}, "ServiceUnavailable"},
		{ststest.Fault{Malformed: true}, "tempcreds: AssumeRole " + roleA + ": operation error STS: AssumeRole"},
		{ststest.Fault{Truncated: true}, "tempcreds: AssumeRole " + roleA},
		{ststest.Fault{Reset: true}, "connection reset"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			s.InjectFaults(tc.fault)
			_, err := p.Retrieve(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), user.SecretAccessKey) {
				t.Error("the error holds the secret key")
			}
		})
	}
}

func TestClockSkewBetweenUsAndSTS(t *testing.T) {
	ours := fakeclock.New(t0)
	tests := []struct {
		name    string
		skew    time.Duration // STS's clock minus ours
		wantErr string
	}{
		{"STS 10 minutes ahead: the session just lasts longer for us", 10 * time.Minute, ""},
		{"STS 10 minutes behind: 5 minutes of a 15-minute session are left, still usable", -10 * time.Minute, ""},
		{"STS 20 minutes behind: the session arrives expired and is refused with a clear reason", -20 * time.Minute, "is this machine's clock wrong"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stsClock := fakeclock.New(t0.Add(tc.skew))
			s := ststest.New(ststest.WithClock(stsClock))
			defer s.Close()
			user := s.AddUser("skew")
			p, _ := NewAssumeRole(s.Client(staticProvider(user)), roleA, func(o *AssumeRoleOptions) { o.Duration = 15 * time.Minute })
			c := NewCache(p, func(o *CacheOptions) { o.Clock = ours })
			creds, err := c.Retrieve(context.Background())
			if tc.wantErr != "" {
				var e *ExpiredCredentialsError
				if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.wantErr) || creds.AccessKeyID != "" {
					t.Fatalf("err = %v, want an ExpiredCredentialsError and no credentials", err)
				}
				return
			}
			if err != nil || creds.Expires.Sub(ours.Now()) != 15*time.Minute+tc.skew {
				t.Fatalf("creds expire in %s, err %v", creds.Expires.Sub(ours.Now()), err)
			}
		})
	}
}

func TestAFarOffClockGetsAClearError(t *testing.T) {
	// STS's clock is 20 minutes ahead of the one the SDK signs with.
	s := ststest.New(ststest.WithClock(fakeclock.New(time.Now().Add(20*time.Minute))), ststest.WithSignatureTimeCheck())
	defer s.Close()
	user := s.AddUser("skew")
	p, _ := NewAssumeRole(s.Client(staticProvider(user)), roleA)
	_, err := p.Retrieve(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Code() != "SignatureDoesNotMatch" || !strings.Contains(err.Error(), "clock is more than 15 minutes off") {
		t.Errorf("err = %v, want SignatureDoesNotMatch with the clock hint", err)
	}
}
