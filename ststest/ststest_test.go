package ststest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

func static(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestTheSDKDecodesEveryAnswer(t *testing.T) {
	clk := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := New(WithClock(clk))
	defer s.Close()
	user := s.AddUser("alice")
	ctx := context.Background()
	c := s.Client(static(user))

	gst, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if got := *gst.Credentials.Expiration; !got.Equal(clk.Now().Add(15 * time.Minute)) {
		t.Errorf("GetSessionToken expiration = %v", got)
	}
	ar, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/B"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if *ar.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/B/s1" {
		t.Errorf("assumed role user = %s", *ar.AssumedRoleUser.Arn)
	}
	if *ar.Credentials.AccessKeyId == *gst.Credentials.AccessKeyId {
		t.Error("two calls issued the same key")
	}
	role := s.Client(credentials.NewStaticCredentialsProvider(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken))
	who, err := role.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != *ar.AssumedRoleUser.Arn {
		t.Fatalf("GetCallerIdentity = %v, %v", who, err)
	}
	calls := s.Calls()
	if last := calls[len(calls)-1]; last.SignedBy != *ar.Credentials.AccessKeyId {
		t.Errorf("signer recorded as %q", last.SignedBy)
	}
}

func TestAWSBehaviours(t *testing.T) {
	clk := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := New(WithClock(clk))
	defer s.Close()
	ctx := context.Background()
	user := s.AddUser("alice")
	c := s.Client(static(user))
	ar, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/B"), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	role := s.Client(credentials.NewStaticCredentialsProvider(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken))
	roleA := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/A"), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(7200)}

	_, err = role.AssumeRole(ctx, roleA)
	if apiCode(err) != "ValidationError" {
		t.Errorf("chained 2h session: %v, want ValidationError", err)
	}
	clk.Advance(15 * time.Minute)
	roleA.DurationSeconds = aws.Int32(3600)
	_, err = role.AssumeRole(ctx, roleA)
	if apiCode(err) != "ExpiredToken" {
		t.Errorf("expired source: %v, want ExpiredToken", err)
	}

	secret := []byte("fake-totp-secret")
	s.AddMFADevice("arn:aws:iam::123456789012:mfa/alice", secret)
	in := &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/alice"), TokenCode: aws.String(TOTP(secret, clk.Now()))}
	if _, err := c.GetSessionToken(ctx, in); err != nil {
		t.Fatalf("first use of the MFA code: %v", err)
	}
	if _, err := c.GetSessionToken(ctx, in); apiCode(err) != "AccessDenied" {
		t.Errorf("reused MFA code: %v, want AccessDenied", err)
	}

	s.InjectFaults(Fault{Code: "Throttling"}, Fault{Status: 503}, Fault{Malformed: true}, Fault{Truncated: true}, Fault{Reset: true})
	for _, want := range []string{"Throttling", "ServiceUnavailable", "malformed", "truncated", "reset"} {
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			t.Errorf("fault %s: no error", want)
		} else if code := apiCode(err); (want == "Throttling" || want == "ServiceUnavailable") && code != want {
			t.Errorf("fault %s: got %v", want, err)
		}
	}
	if n := s.Count("GetCallerIdentity"); n != 5 {
		t.Errorf("GetCallerIdentity count = %d, want 5", n)
	}
}

func TestWebIdentityJWT(t *testing.T) {
	clk := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := New(WithClock(clk))
	defer s.Close()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	s.TrustJWTKey(&key.PublicKey, "sts.amazonaws.com")
	c := s.Client(aws.AnonymousCredentials{})
	exp := clk.Now().Add(time.Hour).Unix()
	tests := []struct {
		name, token, code string
	}{
		{"a valid token is accepted", SignJWT(key, Claims{Sub: "u", Aud: "sts.amazonaws.com", Exp: exp}), ""},
		{"an audience list containing ours is accepted", SignJWT(key, Claims{Sub: "u", Aud: []string{"x", "sts.amazonaws.com"}, Exp: exp}), ""},
		{"a wrong audience is refused", SignJWT(key, Claims{Sub: "u", Aud: "other", Exp: exp}), "InvalidIdentityToken"},
		{"an expired token is refused", SignJWT(key, Claims{Sub: "u", Aud: "sts.amazonaws.com", Exp: clk.Now().Unix() - 1}), "ExpiredTokenException"},
		{"another key's signature is refused", SignJWT(other, Claims{Sub: "u", Aud: "sts.amazonaws.com", Exp: exp}), "InvalidIdentityToken"},
		{"garbage is refused", "not-a-jwt", "InvalidIdentityToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String("arn:aws:iam::123456789012:role/W"), RoleSessionName: aws.String("w"), WebIdentityToken: aws.String(tc.token)})
			if got := apiCode(err); got != tc.code {
				t.Errorf("code = %q (%v), want %q", got, err, tc.code)
			}
		})
	}
}
