package stsclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/ststest"
)

// noFiles is a Config with shared files that do not exist.
func noFiles(t *testing.T, endpoint string) Config {
	dir := t.TempDir()
	return Config{Region: "us-east-1", Endpoint: endpoint, ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
}

// signed signs one call with c.
func signed(c aws.Credentials) func(*sts.Options) {
	return func(o *sts.Options) {
		o.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return c, nil }))
	}
}

func TestTheClientCallsTheEndpoint(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("ana")
	c := New(noFiles(t, s.URL), Settings{})
	out, err := c.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{}, signed(user))
	if err != nil || out.Credentials == nil || s.Count("GetSessionToken") != 1 {
		t.Fatalf("%v, %d calls", err, s.Count("GetSessionToken"))
	}
}

func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		set     Settings
		want    string
	}{
		{name: "a redirect is not followed", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.com/", http.StatusFound)
		}, want: "302"},
		{name: "a large answer is cut", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
		}, set: Settings{MaxAnswer: 1024}, want: "larger than 1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := New(noFiles(t, srv.URL), tc.set)
			_, err := c.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{}, signed(aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"}),
				func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRefusedFilesAreNotLoaded(t *testing.T) {
	refused := &tempcreds.ConfigError{Field: "ConfigFile", Problem: "refused"}
	cfg := noFiles(t, "http://127.0.0.1:1")
	cfg.CheckFiles = func() error { return refused }
	_, err := New(cfg, Settings{}).AssumeRole(context.Background(), &sts.AssumeRoleInput{})
	if !errors.Is(err, refused) {
		t.Fatalf("got %v", err)
	}
}

func TestPermanentFailures(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errors.New(`unsupported protocol scheme "ftp"`), true},
		{errors.New("http: server gave HTTP response to HTTPS client"), true},
		{errors.New("connection reset by peer"), false},
	} {
		if got := permanentFailure(tc.err); got != tc.want {
			t.Errorf("permanentFailure(%v) = %v", tc.err, got)
		}
	}
}

func TestDefaults(t *testing.T) {
	s := Settings{}.withDefaults()
	if s.AttemptTimeout != 10*time.Second || s.CallTimeout != 25*time.Second || s.MaxAnswer != 1<<20 {
		t.Fatalf("%+v", s)
	}
}
