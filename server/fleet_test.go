package server

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

// BenchmarkFleet simulates 10,000 hosts, each serving the same role's
// 1-hour credentials from a Cache with the server's freshness
// (Keeping(DefaultMinRemaining)), polled by its clients every 10 s, for 24 hours on a
// simulated clock (no network), with tempcreds' refresh jitter and without.
// It reports the peak STS calls per second after the first 10 minutes (the
// steady state), the peak while the fleet is deployed, and the total calls
// against the minimum possible.
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./server
func BenchmarkFleet(b *testing.B) {
	const hosts, hours, poll = 10000, 24, 10 * time.Second
	for _, tc := range []struct {
		name   string
		jitter float64
	}{{"jitter", 0 /* the default, 0.2 */}, {"no-jitter", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			var peak, deploy, total int
			for range b.N {
				peak, deploy, total = simulateFleet(hosts, hours, poll, tc.jitter)
			}
			// Minimum: each host needs a new 1-hour session before it has
			// less than 15 minutes left, i.e. one every 45 minutes.
			minimum := hosts * (1 + (hours*60-1)/45)
			b.ReportMetric(float64(peak), "peak-STS-calls/s")
			b.ReportMetric(float64(deploy), "deploy-STS-calls/s")
			b.ReportMetric(float64(total)/float64(minimum), "calls/minimum")
		})
	}
}

func simulateFleet(hosts, hours int, poll time.Duration, jitter float64) (peak, deploy, total int) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // a simulated clock: any date will do
	clk := fakeclock.New(start)
	var mu sync.Mutex
	perSecond := map[int64]int{}
	var n atomic.Int64
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		now := clk.Now()
		mu.Lock()
		perSecond[now.Unix()]++
		mu.Unlock()
		n.Add(1)
		return aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: now.Add(time.Hour)}, nil
	})
	caches := make([]*tempcreds.Cache, hosts)
	for i := range caches {
		caches[i] = tempcreds.NewCache(provider, func(o *tempcreds.CacheOptions) {
			o.Clock, o.Freshness, o.RefreshJitter = clk, Keeping(DefaultMinRemaining), jitter
		})
	}
	ctx := context.Background()
	steps := int(time.Duration(hours) * time.Hour / time.Second)
	pollSteps := int(poll / time.Second)
	for s := 0; s < steps; s++ {
		// The whole fleet was deployed at once: host i's clients ask at
		// seconds i mod poll.
		for i := s % pollSteps; i < hosts; i += pollSteps {
			if _, err := caches[i].Retrieve(ctx); err != nil {
				panic(err)
			}
		}
		for i := s % pollSteps; i < hosts; i += pollSteps {
			for caches[i].Loading() {
				runtime.Gosched()
			}
		}
		clk.Advance(time.Second)
	}
	for sec, c := range perSecond {
		if sec-start.Unix() < 600 {
			deploy = max(deploy, c)
		} else {
			peak = max(peak, c)
		}
	}
	return peak, deploy, int(n.Load())
}
