package tempcreds

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/internal/redact"
	"github.com/tempcreds/tempcreds/internal/refusal"
	"github.com/tempcreds/tempcreds/ststest"
)

// TestNoSecretInAnyErrorWhenSTSEchoesTheRequest: a fake STS (or a proxy, or
// an emulator) answers every call with a ValidationError that repeats every
// form field, the Authorization header and the session token header. No
// error string, %v, %+v, %#v, API message, or log line may hold the web
// identity token, the MFA code, a secret key or a session token.
func TestNoSecretInAnyErrorWhenSTSEchoesTheRequest(t *testing.T) {
	clk := fakeclock.New(t0)
	s, user := newSTS(t, clk)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.TrustJWTKey(&key.PublicKey, "sts.amazonaws.com")
	token := ststest.SignJWT(key, ststest.Claims{Sub: "someone", Aud: "sts.amazonaws.com", Exp: clk.Now().Add(time.Hour).Unix()})
	secret := []byte("fake-totp-secret-for-tests")
	s.AddMFADevice(mfa, secret)
	var codes []string
	code := func(context.Context, string) (string, error) {
		c := ststest.TOTP(secret, clk.Now())
		codes = append(codes, c)
		return c, nil
	}
	session, err := NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) { o.Clock = clk })
	if err != nil {
		t.Fatal(err)
	}
	sessionCreds, err := session.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	providers := map[string]func() (aws.CredentialsProvider, error){
		"web identity": func() (aws.CredentialsProvider, error) {
			return NewWebIdentity(s.Client(nil), roleA, NewStaticToken(token))
		},
		"AssumeRole with MFA from long-term keys": func() (aws.CredentialsProvider, error) {
			return NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) {
				o.Source, o.SerialNumber, o.TokenCode, o.Clock = staticProvider(user), mfa, code, clk
			})
		},
		"AssumeRole from session credentials": func() (aws.CredentialsProvider, error) {
			return NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) {
				o.Source, o.Clock = staticProvider(sessionCreds), clk
			})
		},
		"AssumeRole with the client's own session credentials": func() (aws.CredentialsProvider, error) {
			return NewAssumeRole(s.Client(staticProvider(sessionCreds)), roleA)
		},
		"GetSessionToken with MFA": func() (aws.CredentialsProvider, error) {
			return NewSessionToken(s.Client(staticProvider(user)), func(o *SessionTokenOptions) {
				o.SerialNumber, o.TokenCode = mfa, code
			})
		},
	}
	for name, build := range providers {
		t.Run(name, func(t *testing.T) {
			p, err := build()
			if err != nil {
				t.Fatal(err)
			}
			s.InjectFaults(ststest.Fault{Echo: true})
			c := NewCache(p, func(o *CacheOptions) { o.Clock = clk })
			_, err = c.Retrieve(context.Background())
			if err == nil {
				t.Fatal("an echoing STS gave no error")
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" {
				t.Fatalf("errors.As(smithy.APIError) = %v: the code must stay reachable", ae)
			}
			logger.Error("refresh failed", "err", err)
			outputs := map[string]string{
				"Error()":        err.Error(),
				"%+v":            fmt.Sprintf("%+v", err),
				"%#v":            fmt.Sprintf("%#v", err),
				"API message":    ae.ErrorMessage(),
				"unwrapped %+v":  fmt.Sprintf("%+v", errors.Unwrap(err)),
				"slog text line": logs.String(),
			}
			if !strings.Contains(err.Error(), "Invalid request") {
				t.Errorf("the message lost STS's text: %s", err)
			}
			secrets := append([]string{token}, s.Secrets()...)
			secrets = append(secrets, codes...)
			for where, out := range outputs {
				for _, sec := range secrets {
					if strings.Contains(out, sec) {
						t.Errorf("%s holds a secret (%.12s…): %s", where, sec, out)
					}
				}
			}
		})
	}
}

// TestASourcesRawErrorIsRedacted: a source provider whose error carries its
// whole output (the SDK's credential_process does) must not put it in ours.
func TestASourcesRawErrorIsRedacted(t *testing.T) {
	clk := fakeclock.New(t0)
	s, _ := newSTS(t, clk)
	const leaked = `{"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fAkEsEcReT0123456789fAkEsEcReT0123456789","SessionToken":"FwoGZXIvYXdzEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE1234"`
	src := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, fmt.Errorf("credential process output is not JSON: %s", leaked)
	})
	p, err := NewAssumeRole(s.Client(nil), roleA, func(o *AssumeRoleOptions) { o.Source, o.Clock = src, clk })
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Retrieve(context.Background())
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", errors.Unwrap(err))} {
		if strings.Contains(out, "fAkEsEcReT0123456789") || strings.Contains(out, "FwoGZXIvYXdzEFAKE") {
			t.Errorf("a source's raw output reached our error: %s", out)
		}
	}
}

// TestBrokenProviderErrorsNeverCrash: a provider that panics with a typed
// nil error, or returns one (whose Error method panics), gets an error, not
// a crashed process.
func TestBrokenProviderErrorsNeverCrash(t *testing.T) {
	providers := map[string]aws.CredentialsProviderFunc{
		"panics with a typed nil *fs.PathError": func(context.Context) (aws.Credentials, error) {
			var pe *fs.PathError
			panic(pe)
		},
		"panics with a typed nil runtime error": func(context.Context) (aws.Credentials, error) {
			panic((*runtime.TypeAssertionError)(nil))
		},
		"returns a typed nil *fs.PathError": func(context.Context) (aws.Credentials, error) {
			var pe *fs.PathError
			return aws.Credentials{}, pe
		},
	}
	for name, p := range providers {
		t.Run(name, func(t *testing.T) {
			c := NewCache(p)
			_, err := c.Retrieve(context.Background())
			if err == nil || !strings.Contains(err.Error(), "fs.PathError") && !strings.Contains(err.Error(), "TypeAssertionError") {
				t.Errorf("err = %v, want an error naming the type", err)
			}
			_ = fmt.Sprintf("%+v %#v", err, err)
			_ = redact.SafeMessage(err)
		})
	}
}

// TestARedactedErrorsGoSyntaxHidesItsCause: %#v of an error from a Cache
// whose provider's error is a struct value holding a secret.
func TestARedactedErrorsGoSyntaxHidesItsCause(t *testing.T) {
	c := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, valErr{Detail: "SecretAccessKey=FAKEdetailFAKEdetail"}
	}))
	_, err := c.Retrieve(context.Background())
	for _, out := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(out, "FAKEdetailFAKEdetail") {
			t.Errorf("the secret is printed: %s", out)
		}
	}
}

type valErr struct{ Detail string }

func (e valErr) Error() string { return "provider failed: " + e.Detail }

// TestRefusalsReadThroughOurRedactedAPIError: the retries' classifier reads
// an STS refusal through this package's *Error and its redacted APIError.
func TestRefusalsReadThroughOurRedactedAPIError(t *testing.T) {
	cause := fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: "ValidationError", Message: "exceeds the MaxSessionDuration set"})
	if got := refusal.Classify(newError("AssumeRole", "arn:aws:iam::123456789012:role/A", "", cause)); got != refusal.MaxSessionDuration {
		t.Errorf("through *Error: %d", got)
	}
}
