// Command refresh-latency measures what callers feel while credentials are
// refreshed by a provider with 200 ms of STS latency: 8 goroutines call
// Retrieve every millisecond for 6 s while 2-second credentials are
// refreshed again and again, through tempcreds.Cache and through
// aws.CredentialsCache with the same 500 ms expiry window, side by side.
//
//	go run ./bench/refresh-latency
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
)

const (
	latency  = 200 * time.Millisecond
	lifetime = 2 * time.Second
	window   = 500 * time.Millisecond
	callers  = 8
	run      = 6 * time.Second
)

var slowSTS = aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
	time.Sleep(latency)
	return aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: time.Now().Add(lifetime)}, nil
})

func main() {
	caches := []struct {
		name string
		p    aws.CredentialsProvider
	}{
		{"tempcreds.Cache (refresh ahead 1 s, expiry window 500 ms)", tempcreds.NewCache(slowSTS, func(o *tempcreds.CacheOptions) {
			o.Freshness = tempcreds.Freshness{Min: window, Ahead: time.Second, AheadFraction: 0.5}
		})},
		{"aws.CredentialsCache (ExpiryWindow 500 ms)", aws.NewCredentialsCache(slowSTS, func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow = window
		})},
	}
	fmt.Printf("| cache | calls | p50 | p99 | p99.9 | max | calls that waited > 10 ms |\n|---|---|---|---|---|---|---|\n")
	for _, c := range caches {
		_, _ = c.p.Retrieve(context.Background()) // warm
		lat := measure(c.p)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		slow := 0
		for _, l := range lat {
			if l > 10*time.Millisecond {
				slow++
			}
		}
		p := func(q float64) time.Duration { return lat[int(float64(len(lat)-1)*q)] }
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %d |\n", c.name, len(lat), p(0.5), p(0.99), p(0.999), lat[len(lat)-1].Round(time.Millisecond), slow)
	}
}

func measure(p aws.CredentialsProvider) []time.Duration {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	end := time.Now().Add(run)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) {
				t := time.Now()
				if _, err := p.Retrieve(context.Background()); err != nil {
					panic(err)
				}
				mine = append(mine, time.Since(t))
				time.Sleep(time.Millisecond)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}
