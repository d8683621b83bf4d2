package server

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/ststest"
)

// TestSevenDaySoak serves a three-hop chain (A from C from B from keys)
// through the server for 7 simulated days, a request every 30 s, with
// random STS faults (Throttling, 503, connection resets, malformed and
// truncated XML, ExpiredToken). Zero expired credentials may be served,
// every 200 carries at least 15 minutes, and the STS calls for the served
// role stay within 10% of the minimum possible.
func TestSevenDaySoak(t *testing.T) {
	clk := fakeclock.New(t0)
	s := ststest.New(ststest.WithClock(clk))
	defer s.Close()
	user := s.AddUser("soak")
	rng := rand.New(rand.NewPCG(7, 7))
	var mu sync.Mutex
	faults := 0
	s.SetFaultFunc(func(string) *ststest.Fault {
		mu.Lock()
		defer mu.Unlock()
		var f *ststest.Fault
		switch r := rng.IntN(100); {
		case r < 3:
			f = &ststest.Fault{Code: "Throttling"}
		case r < 5:
			f = &ststest.Fault{Status: 503}
		case r < 6:
			f = &ststest.Fault{Reset: true}
		case r < 7:
			f = &ststest.Fault{Malformed: true}
		case r < 8:
			f = &ststest.Fault{Truncated: true}
		}
		if f != nil {
			faults++
		}
		return f
	})
	client := s.Client(nil)
	hop := func(role string, source tempcreds.CacheOptions, src any) *tempcreds.Cache {
		t.Helper()
		var p *tempcreds.Cache
		var err error
		opts := func(o *tempcreds.AssumeRoleOptions) { o.CacheOptions = source; o.Clock = clk }
		switch v := src.(type) {
		case *tempcreds.Cache:
			p, err = tempcreds.NewAssumeRole(client, role, opts, func(o *tempcreds.AssumeRoleOptions) { o.Source = v })
		default:
			p, err = tempcreds.NewAssumeRole(client, role, opts, func(o *tempcreds.AssumeRoleOptions) {
				o.Source = credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")
			})
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var defaults tempcreds.CacheOptions
	b := hop("arn:aws:iam::123456789012:role/B", defaults, nil)
	c := hop("arn:aws:iam::123456789012:role/C", defaults, b)
	pA, err := tempcreds.NewAssumeRole(client, "arn:aws:iam::123456789012:role/A", func(o *tempcreds.AssumeRoleOptions) { o.Source, o.Clock = c, clk })
	if err != nil {
		t.Fatal(err)
	}
	srv, addr := start(t, pA, func(o *Options) { o.Clock = clk })
	served := srv.routes["/"]

	var ok, unavailable, expired int
	end := t0.Add(7 * 24 * time.Hour)
	for step := 0; clk.Now().Before(end) && step < 30_000; step++ { // bounded: 20,160 steps
		req := httptest.NewRequest(http.MethodGet, "/", nil) // origin form, as every SDK sends
		req.Host = addr
		req.Header.Set("Authorization", srv.Token())
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req.WithContext(context.Background()))
		now := clk.Now()
		switch rec.Code {
		case 200:
			ok++
			var r struct{ Expiration string }
			_ = json.Unmarshal(rec.Body.Bytes(), &r)
			exp, err := time.Parse(time.RFC3339, r.Expiration)
			if err != nil || !now.Before(exp) {
				expired++
			} else if exp.Sub(now) < DefaultMinRemaining {
				t.Fatalf("at +%s served credentials with %s left, want at least 15 min", now.Sub(t0), exp.Sub(now))
			}
		case 503:
			unavailable++
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		for served.Loading() || b.Loading() || c.Loading() {
			time.Sleep(50 * time.Microsecond)
		}
		clk.Advance(30 * time.Second)
	}
	var callsA, okA, callsB, callsC int
	for _, call := range s.Calls() {
		switch call.RoleARN {
		case "arn:aws:iam::123456789012:role/A":
			callsA++
			if call.ErrorCode == "" {
				okA++
			}
		case "arn:aws:iam::123456789012:role/B":
			callsB++
		case "arn:aws:iam::123456789012:role/C":
			callsC++
		}
	}
	// A's sessions last 1 hour (assumed with role credentials) and may be
	// served while 15 minutes are left: at least one new session every 45
	// minutes is needed.
	minimum := int(7*24*time.Hour/(45*time.Minute)) + 1
	t.Logf("7 simulated days: %d answers 200, %d 503 (STS failing inside the window), %d expired; %d faults injected", ok, unavailable, expired, faults)
	t.Logf("AssumeRole(A): %d calls, %d successful, minimum %d (%.2f×); B: %d calls, C: %d calls", callsA, okA, minimum, float64(okA)/float64(minimum), callsB, callsC)
	if expired != 0 {
		t.Errorf("%d expired credentials served", expired)
	}
	if float64(okA) > 1.10*float64(minimum) {
		t.Errorf("%d successful AssumeRole(A) calls, more than 10%% above the minimum %d", okA, minimum)
	}
	if unavailable > ok/100 {
		t.Errorf("%d of %d answers were 503: the refresh-ahead did not absorb the faults", unavailable, ok+unavailable)
	}
}
