// The MinIO suite runs tempcreds against a real STS and S3: MinIO, pinned
// and installed by internal/miniotest, on loopback, with a local OpenID
// Connect issuer for web identity.
//
// MinIO is not AWS. Differences that matter here, so nobody mistakes a MinIO
// quirk for a tempcreds bug (those paths are covered by ststest):
//   - no GetSessionToken and no GetCallerIdentity;
//   - AssumeRole ignores RoleArn (any ARN is accepted; the caller's own
//     policies apply, narrowed by the session policy);
//   - role chaining is refused: AssumeRole signed with STS credentials
//     answers AccessDenied, so there is no 1-hour chaining cap to meet;
//   - it never answers ExpiredToken: expired credentials get a 403 from S3
//     (InvalidAccessKeyId / ExpiredToken varies by version), and bad web
//     identity tokens get InvalidParameterValue with a message instead of
//     AWS's InvalidIdentityToken / ExpiredTokenException;
//   - web identity credentials expire at the token's exp unless
//     DurationSeconds asks for less, so a 30-second token gives 30-second
//     credentials (AWS would give an hour);
//   - a token is accepted when either its aud or its azp names the client
//     ID; a token for another audience is refused as "`azp` claim invalid,
//     `azp` must match configured OpenID Client ID";
//   - DurationSeconds below 900 is refused, as on AWS.

package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/miniotest"
)

// minioServer is the MinIO these suites share: started on first use,
// stopped when the package's tests end (stopShared, from TestMain).
func minioServer(t *testing.T) *miniotest.Server {
	t.Helper()
	sharedMinIO.once.Do(func() {
		sharedMinIO.s, sharedMinIO.err = miniotest.StartServer(context.Background())
	})
	if sharedMinIO.err != nil {
		t.Fatalf("MinIO is required for this suite and could not be started: %v", sharedMinIO.err)
	}
	return sharedMinIO.s
}

var sharedMinIO struct {
	once sync.Once
	s    *miniotest.Server
	err  error
}

// stopShared stops the shared MinIO, if a test started it.
func stopShared() {
	if sharedMinIO.s != nil {
		sharedMinIO.s.Close()
	}
}

const anyRole = "arn:aws:iam::123456789012:role/minio-ignores-this"

func assumeRole(t *testing.T, optFns ...func(*tempcreds.AssumeRoleOptions)) *tempcreds.Cache {
	t.Helper()
	p, err := tempcreds.NewAssumeRole(minioServer(t).STSClient(nil), anyRole, append([]func(*tempcreds.AssumeRoleOptions){
		func(o *tempcreds.AssumeRoleOptions) {
			o.Source = minioServer(t).RootCredentials()
			o.Duration = 15 * time.Minute
		},
	}, optFns...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tempcreds.NewCache(p)
}

func putGet(ctx context.Context, c *s3.Client, bucket, key, body string) (string, error) {
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)}); err != nil {
		return "", err
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestAssumeRoleCredentialsWorkOnS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	creds := assumeRole(t)
	c := minioServer(t).S3Client(creds)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tempcreds-e2e")}); err != nil {
		t.Fatalf("CreateBucket with assumed-role credentials: %v", err)
	}
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(list.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == "tempcreds-e2e" }) {
		t.Errorf("ListBuckets does not show the new bucket")
	}
	got, err := putGet(ctx, c, "tempcreds-e2e", "hello.txt", "hello from tempcreds")
	if err != nil || got != "hello from tempcreds" {
		t.Fatalf("put and get: %q, %v", got, err)
	}
	cr, _ := creds.Retrieve(ctx)
	if !cr.CanExpire || cr.SessionToken == "" || time.Until(cr.Expires) < 14*time.Minute || time.Until(cr.Expires) > 15*time.Minute {
		t.Errorf("credentials: CanExpire %v, expires in %s; want a 15-minute session", cr.CanExpire, time.Until(cr.Expires))
	}
}

// The seed's example: a role whose session may only create and use
// dev-projects-* buckets.
func TestSessionPolicyNarrowsTheCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],` +
		`"Resource":["arn:aws:s3:::dev-projects-*","arn:aws:s3:::dev-projects-*/*"]}]}`
	root := minioServer(t).S3Client(minioServer(t).RootCredentials())
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("prod-data")}); err != nil {
		t.Fatal(err)
	}
	c := minioServer(t).S3Client(assumeRole(t, func(o *tempcreds.AssumeRoleOptions) {
		o.Policy = policy
		o.RoleSessionName = "colbyProjectsDev"
	}))

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("dev-projects-x")}); err != nil {
		t.Fatalf("creating dev-projects-x: %v", err)
	}
	if got, err := putGet(ctx, c, "dev-projects-x", "a.txt", "allowed"); err != nil || got != "allowed" {
		t.Fatalf("using dev-projects-x: %q, %v", got, err)
	}
	denied := []struct {
		name string
		call func() error
	}{
		{"creating another bucket", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("other-bucket")})
			return err
		}},
		{"writing to a bucket outside dev-projects-*", func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("prod-data"), Key: aws.String("x"), Body: strings.NewReader("x")})
			return err
		}},
		{"listing a bucket outside dev-projects-*", func() error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("prod-data")})
			return err
		}},
	}
	for _, d := range denied {
		if err := d.call(); httpStatus(err) != 403 || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("%s: %v, want 403 AccessDenied", d.name, err)
		}
	}
}

// A loop of S3 calls for about 90 seconds through a Cache whose token file
// is rewritten with fresh 30-second tokens keeps succeeding across several
// credential expiries, while a frozen copy of the first credentials starts
// failing after its expiry.
func TestWebIdentityWithARotatingTokenFileOutlivesManyExpiries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tokenFile := filepath.Join(t.TempDir(), "token")
	defer minioServer(t).OIDC.RotateToken(tokenFile, "rotating", 30*time.Second, 5*time.Second)()

	p, err := tempcreds.NewWebIdentity(minioServer(t).STSClient(nil), anyRole, tempcreds.TokenFile(tokenFile))
	if err != nil {
		t.Fatal(err)
	}
	cache := tempcreds.NewCache(p)
	first, err := cache.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if life := time.Until(first.Expires); life < 20*time.Second || life > 31*time.Second {
		t.Fatalf("first credentials live %s; MinIO should give the 30-second token's lifetime", life)
	}
	live := minioServer(t).S3Client(cache)
	frozen := minioServer(t).S3Client(credentials.NewStaticCredentialsProvider(first.AccessKeyID, first.SecretAccessKey, first.SessionToken))
	if _, err := frozen.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("the first credentials do not work before they expire: %v", err)
	}

	keys := map[string]bool{}
	deadline := time.Now().Add(90 * time.Second)
	var calls int
	for i := 0; i < 1000 && time.Now().Before(deadline); i++ { // bounded: at most 1000 calls, 90 s
		if _, err := live.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("call %d at +%s: %v", i, time.Since(deadline.Add(-90*time.Second)).Round(time.Second), err)
		}
		calls++
		cr, _ := cache.Retrieve(ctx)
		keys[cr.AccessKeyID] = true
		time.Sleep(250 * time.Millisecond)
	}
	if len(keys) < 4 {
		t.Errorf("saw %d distinct credentials in 90 s of 30-second sessions, want several refreshes", len(keys))
	}
	t.Logf("%d S3 calls over 90 s, all succeeded, with %d successive credentials", calls, len(keys))

	if time.Now().Before(first.Expires) {
		t.Fatal("the loop ended before the first credentials expired")
	}
	_, err = frozen.ListBuckets(ctx, &s3.ListBucketsInput{})
	if httpStatus(err) != 403 {
		t.Errorf("frozen first credentials after their expiry: %v, want a 403", err)
	}
}

func TestBadWebIdentityTokensGiveClearErrors(t *testing.T) {
	t.Parallel()
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := minioServer(t).OIDC
	now := time.Now()
	claims := func(aud string, exp time.Time) map[string]any {
		return map[string]any{"iss": o.URL, "sub": "bad", "aud": aud, "azp": aud, "iat": now.Unix(), "exp": exp.Unix(), "policy": o.Policy}
	}
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"an expired token", o.Sign(claims(o.ClientID, now.Add(-time.Minute))), "Token is expired"},
		{"a token signed by another key", miniotest.SignRS256(otherKey, claims(o.ClientID, now.Add(time.Hour))), "verification"},
		{"a token for another audience", o.Sign(claims("someone-else", now.Add(time.Hour))), "must match configured OpenID Client ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tempcreds.NewWebIdentity(minioServer(t).STSClient(nil), anyRole, tempcreds.NewStaticToken(tc.token))
			if err != nil {
				t.Fatal(err)
			}
			_, err = tempcreds.NewCache(p).Retrieve(context.Background())
			var e *tempcreds.Error
			if !errors.As(err, &e) || e.Code() != "InvalidParameterValue" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a tempcreds.Error with InvalidParameterValue naming %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "tempcreds: AssumeRoleWithWebIdentity "+anyRole+": InvalidParameterValue: ") {
				t.Errorf("message %q does not read as op, role, code, cause", err)
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Error("the error holds the token")
			}
		})
	}
}
