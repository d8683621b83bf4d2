package tempcreds_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/ststest"
)

// fakeSTS starts the fake STS of package ststest and returns a client for it
// and a user's (fake) long-term keys. In real code the client is
// sts.NewFromConfig(cfg) and the keys are cfg.Credentials.
func fakeSTS() (*ststest.Server, *sts.Client, *credentials.StaticCredentialsProvider) {
	s := ststest.New()
	user := s.AddUser("alice")
	keys := credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")
	return s, s.Client(nil), &keys
}

// The seed's RoleA-from-RoleB chain: RoleB is assumed with the environment's
// keys, RoleA with RoleB's credentials. Each hop has its own Cache, so a
// refresh of RoleA re-fetches RoleB only when RoleB itself is due.
func Example_chain() {
	s, client, envKeys := fakeSTS()
	defer s.Close()

	roleB, err := tempcreds.NewAssumeRole(client, "arn:aws:iam::123456789012:role/RoleB",
		func(o *tempcreds.AssumeRoleOptions) { o.Source = envKeys })
	if err != nil {
		log.Fatal(err)
	}
	roleA, err := tempcreds.NewAssumeRole(client, "arn:aws:iam::123456789012:role/RoleA",
		func(o *tempcreds.AssumeRoleOptions) { o.Source = roleB })
	if err != nil {
		log.Fatal(err)
	}
	// roleA is a *tempcreds.Cache: use it as cfg.Credentials of any aws-sdk-go-v2 client.
	for range 3 {
		if _, err := roleA.Retrieve(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("AssumeRole calls for 3 Retrieves:", s.Count("AssumeRole"))
	// Output: AssumeRole calls for 3 Retrieves: 2
}

func ExampleNewAssumeRole() {
	s, client, keys := fakeSTS()
	defer s.Close()
	p, err := tempcreds.NewAssumeRole(client, "arn:aws:iam::123456789012:role/ProjectsS3Development", func(o *tempcreds.AssumeRoleOptions) {
		o.Source = keys
		o.RoleSessionName = "colbyProjectsDev"
		o.Duration = 2 * time.Hour
		o.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::dev-projects-*"}]}`
	})
	if err != nil {
		log.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Source, creds.AccountID, time.Until(creds.Expires).Round(time.Hour))
	// Output: tempcreds.AssumeRole 123456789012 2h0m0s
}

func ExampleNewSessionToken() {
	s, client, keys := fakeSTS()
	defer s.Close()
	secret := []byte("fake-mfa-device-secret")
	s.AddMFADevice("arn:aws:iam::123456789012:mfa/alice", secret)

	p, err := tempcreds.NewSessionToken(client, func(o *tempcreds.SessionTokenOptions) {
		o.Source = keys
		o.SerialNumber = "arn:aws:iam::123456789012:mfa/alice"
		o.TokenCode = func(ctx context.Context, serial string) (string, error) {
			return ststest.TOTP(secret, time.Now()), nil // a real program prompts the user
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Source, time.Until(creds.Expires).Round(time.Hour))
	// Output: tempcreds.SessionToken 12h0m0s
}

func ExampleNewWebIdentity() {
	s, client, _ := fakeSTS()
	defer s.Close()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s.TrustJWTKey(&key.PublicKey, "sts.amazonaws.com")
	tokenFile := filepath.Join(os.TempDir(), "tempcreds-example-token")
	defer os.Remove(tokenFile)
	jwt := ststest.SignJWT(key, ststest.Claims{Sub: "ci-job", Aud: "sts.amazonaws.com", Exp: time.Now().Add(time.Hour).Unix()})
	if err := os.WriteFile(tokenFile, []byte(jwt+"\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	// The file is read again on every refresh, so a rotating token keeps working.
	p, err := tempcreds.NewWebIdentity(client, "arn:aws:iam::123456789012:role/CI", tempcreds.TokenFile(tokenFile))
	if err != nil {
		log.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Source)
	// Output: tempcreds.WebIdentity
}

func ExampleNewTemporary() {
	s, client, keys := fakeSTS()
	defer s.Close()
	// With a RoleARN: AssumeRole. Without: GetSessionToken.
	creds, err := tempcreds.NewTemporary(client, tempcreds.TemporaryParams{
		RoleARN: "arn:aws:iam::123456789012:role/TemporaryCredentials",
		Source:  keys,
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := creds.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Source, creds.NeedsRefresh())
	// Output: tempcreds.AssumeRole false
}

// Any aws.CredentialsProvider made to refresh itself: here a provider of
// your own, with its own freshness rule.
func ExampleNewCache() {
	s, client, keys := fakeSTS()
	defer s.Close()
	mine := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/A"), RoleSessionName: aws.String("mine"),
		}, func(o *sts.Options) { o.Credentials = keys })
		if err != nil {
			return aws.Credentials{}, err
		}
		c := out.Credentials
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey,
			SessionToken: *c.SessionToken, CanExpire: true, Expires: *c.Expiration}, nil
	})
	creds := tempcreds.NewCache(mine, func(o *tempcreds.CacheOptions) {
		o.Freshness.Min = 30 * time.Second   // never hand out credentials with less left
		o.Freshness.Ahead = 10 * time.Minute // refresh in the background this early
	})
	a, _ := creds.Retrieve(context.Background())
	b, _ := creds.Retrieve(context.Background())
	fmt.Println("same credentials:", a.AccessKeyID == b.AccessKeyID, "STS calls:", s.Count("AssumeRole"))
	// Output: same credentials: true STS calls: 1
}

// Wiring a Cache into aws-sdk-go-v2. The SDK's configuration (environment,
// profile, SSO...) is the Source; the role's Cache becomes the
// configuration's credentials.
//
// Assign cfg.Credentials directly (nothing wraps it), or, if you pass it to
// config.LoadDefaultConfig with config.WithCredentialsProvider, add
// config.WithCredentialsCacheOptions(tempcreds.SDKCacheOptions): the SDK
// wraps every provider in an aws.CredentialsCache, and without those options
// that cache keeps our credentials until their real expiry, past the expiry
// window and without refresh-ahead (the Cache warns once through its Logger
// when it sees that wiring). Passing cfg.Credentials (itself an
// aws.CredentialsCache) as Source is fine: in its last 15 s the Cache around
// it invalidates it and gets fresh credentials.
func Example_sdkConfig() {
	s, client, keys := fakeSTS() // in real code: cfg, _ := config.LoadDefaultConfig(ctx); client := sts.NewFromConfig(cfg)
	defer s.Close()
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.NewCredentialsCache(keys)}

	role, err := tempcreds.NewAssumeRole(client, "arn:aws:iam::123456789012:role/Deploy",
		func(o *tempcreds.AssumeRoleOptions) { o.Source = cfg.Credentials })
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = role // every client built from cfg refreshes ahead
	// or: config.LoadDefaultConfig(ctx, config.WithCredentialsProvider(role),
	//         config.WithCredentialsCacheOptions(tempcreds.SDKCacheOptions))

	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Source, time.Until(creds.Expires).Round(time.Hour))
	// Output: tempcreds.AssumeRole 1h0m0s
}
