package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/ststest"
)

const (
	benchMFA       = "arn:aws:iam::123456789012:mfa/alice"
	benchRefreshes = 3
)

// chainFixture writes a three-hop source_profile chain a → c → b → base
// keys, mfa_serial on b, and returns its fake STS (fake keys only).
func chainFixture(b *testing.B, dir string) (*ststest.Server, *fakeclock.Clock, []byte) {
	clk := fakeclock.New(time.Now())
	s := ststest.New(ststest.WithClock(clk))
	b.Cleanup(s.Close)
	user := s.AddUser("alice")
	secret := []byte("fake-totp-secret-bench")
	s.AddMFADevice(benchMFA, secret)
	creds := fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey)
	cfg := fmt.Sprintf("[profile base]\nregion = us-east-1\n[profile b]\nrole_arn = %s\nsource_profile = base\nmfa_serial = %s\n"+
		"[profile c]\nrole_arn = %s\nsource_profile = b\n[profile a]\nrole_arn = %s\nsource_profile = c\n", roleB, benchMFA, roleC, roleA)
	for name, body := range map[string]string{"credentials": creds, "config": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return s, clk, secret
}

// BenchmarkChainVsSDK counts the STS calls and MFA prompts that the first
// load and three refreshes of the outer role of that chain cost through
// aws-sdk-go-v2's own config.LoadDefaultConfig and through this package,
// against the same counting fake STS and the same ~/.aws/config. A
// "refresh" is the outer role's credentials falling due while the inner
// ones are valid: for the SDK, invalidating its credentials cache; for
// tempcreds, removing the outer role's cache entry (a new process).
//
//	go test -run '^$' -bench ChainVsSDK ./chain
func BenchmarkChainVsSDK(b *testing.B) {
	ctx := context.Background()
	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		var calls, prompts atomic.Int64
		for range b.N {
			dir := b.TempDir()
			s, clk, secret := chainFixture(b, dir)
			b.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
			cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("a"),
				config.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}),
				config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}),
				config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
					o.TokenProvider = func() (string, error) { prompts.Add(1); return ststest.TOTP(secret, clk.Now()), nil }
				}))
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i <= benchRefreshes; i++ {
				if i > 0 {
					cfg.Credentials.(*aws.CredentialsCache).Invalidate()
					clk.Advance(31 * time.Second) // a new MFA code each time
				}
				if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
					b.Fatal(err)
				}
			}
			calls.Add(int64(s.Count("AssumeRole") + s.Count("GetSessionToken")))
		}
		b.ReportMetric(float64(calls.Load())/float64(b.N), "STS-calls/op")
		b.ReportMetric(float64(prompts.Load())/float64(b.N), "MFA-prompts/op")
	})
	b.Run("tempcreds", func(b *testing.B) {
		var calls, prompts atomic.Int64
		for range b.N {
			dir := b.TempDir()
			s, clk, secret := chainFixture(b, dir)
			env := map[string]string{"HOME": dir, "XDG_CACHE_HOME": filepath.Join(dir, "cache"), "AWS_ENDPOINT_URL_STS": s.URL,
				"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials")}
			code := func(context.Context, string) (string, error) {
				prompts.Add(1)
				return ststest.TOTP(secret, clk.Now()), nil
			}
			store := &filecache.Store{Dir: filepath.Join(dir, "cache", "tempcreds")}
			for i := 0; i <= benchRefreshes; i++ {
				if i > 0 {
					entries, err := store.List()
					if err != nil {
						b.Fatal(err)
					}
					for _, e := range entries {
						if strings.HasSuffix(e.Meta.RoleARN, "role/A") {
							if _, err := store.Remove(e.Key); err != nil {
								b.Fatal(err)
							}
						}
					}
					clk.Advance(31 * time.Second)
				}
				// A new process each time: resolve and build again.
				plan, err := Resolve(ctx, Request{Profile: "a"}, envOf(env))
				if err != nil {
					b.Fatal(err)
				}
				c, err := Build(plan, Deps{Clock: clk, TokenCode: code})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Retrieve(ctx); err != nil {
					b.Fatal(err)
				}
			}
			calls.Add(int64(s.Count("AssumeRole") + s.Count("GetSessionToken")))
		}
		b.ReportMetric(float64(calls.Load())/float64(b.N), "STS-calls/op")
		b.ReportMetric(float64(prompts.Load())/float64(b.N), "MFA-prompts/op")
	})
}
