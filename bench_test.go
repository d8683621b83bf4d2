package tempcreds

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// expiringProvider returns credentials valid for a day, so both caches keep
// serving the same ones for the whole benchmark.
var expiringProvider = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "ASIAFAKEBENCH", SecretAccessKey: "fake", SessionToken: "fake",
		CanExpire: true, Expires: time.Now().Add(24 * time.Hour)}, nil
})

var (
	sinkCreds aws.Credentials
	sinkTime  time.Time
)

// BenchmarkTimeNow is the floor of BenchmarkRetrieve: Retrieve reads the
// precise wall clock on every call, so a bare time.Now() is the least it
// can cost.
func BenchmarkTimeNow(b *testing.B) {
	b.Run("single", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkTime = time.Now()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var local time.Time
			for pb.Next() {
				local = time.Now()
			}
			_ = local
		})
	})
}

// BenchmarkRetrieve compares a warm tempcreds.Cache with a warm
// aws.CredentialsCache on cached, expiring credentials, single-threaded and
// with b.RunParallel. Both read the system wall clock on every call (see
// BenchmarkTimeNow for the floor).
func BenchmarkRetrieve(b *testing.B) {
	ctx := context.Background()
	caches := []struct {
		name string
		p    aws.CredentialsProvider
	}{
		{"tempcreds.Cache", NewCache(expiringProvider)},
		{"aws.CredentialsCache", aws.NewCredentialsCache(expiringProvider)},
	}
	for _, c := range caches {
		if _, err := c.p.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/single", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				creds, err := c.p.Retrieve(ctx)
				if err != nil {
					b.Fatal(err)
				}
				sinkCreds = creds
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var local aws.Credentials
				for pb.Next() {
					creds, err := c.p.Retrieve(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					local = creds
				}
				_ = local
			})
		})
	}
}
