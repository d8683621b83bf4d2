// Command fleet simulates 10,000 hosts, each serving the same role's 1-hour
// credentials from a tempcreds.Cache with the server's windows, polled by
// its clients every 10 s, for 24 hours on a simulated clock (no network),
// once with tempcreds' refresh jitter and once without. It reports the peak
// STS calls per second and the total calls against the minimum possible.
//
//	go run ./bench/fleet
package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/server"
)

func main() {
	hosts := flag.Int("hosts", 10000, "hosts in the fleet")
	hours := flag.Int("hours", 24, "simulated hours")
	poll := flag.Duration("poll", 10*time.Second, "how often each host's clients ask")
	flag.Parse()
	fmt.Printf("| refresh | peak STS calls/s after deployment | at deployment | total STS calls | minimum possible | ratio to minimum |\n|---|---|---|---|---|---|\n")
	for _, jitter := range []float64{tempcreds.DefaultRefreshJitter, -1} {
		peak, deploy, total := simulate(*hosts, *hours, *poll, jitter)
		// Minimum: each host needs a new 1-hour session before it has less
		// than 15 minutes left, i.e. one every 45 minutes.
		minimum := *hosts * (1 + (*hours*60-1)/45)
		name := "tempcreds (jitter 20% of the refresh window)"
		if jitter < 0 {
			name = "same cache, jitter off"
		}
		fmt.Printf("| %s | %d | %d | %d | %d | %.2f |\n", name, peak, deploy, total, minimum, float64(total)/float64(minimum))
	}
}

// simulate returns the peak calls per second after the first 10 minutes
// (the steady state), the peak during deployment, and the total.
func simulate(hosts, hours int, poll time.Duration, jitter float64) (peak, deploy, total int) {
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
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
			o.Clock = clk
			o.Freshness = server.DefaultFreshness // the server's windows
			o.RefreshJitter = jitter
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
