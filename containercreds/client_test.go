package containercreds

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds"
)

func goodBody(exp time.Time) string {
	b, _ := json.Marshal(map[string]string{"AccessKeyId": "ASIAFAKEREMOTE", "SecretAccessKey": "fake-secret", "Token": "fake-token",
		"Expiration": exp.UTC().Format(time.RFC3339), "AccountId": "123456789012"})
	return string(b)
}

func TestRemoteAgainstMisbehavingServers(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name      string
		handler   func(n int64, w http.ResponseWriter, r *http.Request) // n counts from 1
		wantErr   string                                                // "" = success
		wantCalls int64
	}{
		{"a slow answer times out, then a retry succeeds", func(n int64, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				select {
				case <-r.Context().Done():
				case <-time.After(3 * time.Second):
				}
				return
			}
			_, _ = w.Write([]byte(goodBody(exp)))
		}, "", 2},
		{"a healthy endpoint trickling its body over 1.5 s succeeds with one request (1 s is an idle timeout)", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			body := goodBody(exp)
			for i := 0; i < len(body); i += len(body)/10 + 1 {
				_, _ = w.Write([]byte(body[i:min(i+len(body)/10+1, len(body))]))
				w.(http.Flusher).Flush()
				time.Sleep(150 * time.Millisecond)
			}
		}, "", 1},
		{"a body that stalls for more than 1 s is cut and retried", func(n int64, w http.ResponseWriter, r *http.Request) {
			body := goodBody(exp)
			if n == 1 {
				_, _ = w.Write([]byte(body[:10]))
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(3 * time.Second):
				}
				return
			}
			_, _ = w.Write([]byte(body))
		}, "", 2},
		{"an error message echoing the token is redacted", func(_ int64, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"Code":"AccessDenied","Message":"bad token ` + r.Header.Get("Authorization") + `"}`))
		}, "bad token [REDACTED]", 1},
		{"a token echoed after 420 characters is redacted before the message is cut", func(_ int64, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"Code":"Denied ` + r.Header.Get("Authorization") + `","Message":"` + strings.Repeat("x.", 210) + " " + r.Header.Get("Authorization") + `"}`))
		}, "[REDACTED]", 1},
		{"500 then 200", func(n int64, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.WriteHeader(500)
				return
			}
			_, _ = w.Write([]byte(goodBody(exp)))
		}, "", 2},
		{"429 is retried", func(n int64, w http.ResponseWriter, _ *http.Request) {
			if n < 3 {
				w.WriteHeader(429)
				return
			}
			_, _ = w.Write([]byte(goodBody(exp)))
		}, "", 3},
		{"503 forever gives up after 3 retries", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(503)
		}, "HTTP 503", 4},
		{"a garbage Expiration is refused", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"tomorrow-ish"}`))
		}, `Expiration "tomorrow-ish" is not an RFC 3339 time`, 1},
		{"missing fields are refused", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"AccessKeyId":"A","SecretAccessKey":"S"}`))
		}, "the answer lacks Expiration, Token", 1},
		{"a 10 MB body is refused", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"AccessKeyId":"` + strings.Repeat("A", 10<<20) + `"}`))
		}, "larger than 65536 bytes", 1},
		{"an error body is surfaced", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"Code":"AccessDenied","Message":"role not allowed"}`))
		}, "HTTP 403: AccessDenied: role not allowed", 1},
		{"not JSON is refused", func(_ int64, w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`<html>`))
		}, "not JSON", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.handler(calls.Add(1), w, r)
			}))
			defer srv.Close()
			p, err := NewURL(context.Background(), srv.URL, Token("fake-endpoint-token"), func(o *Options) { o.Backoff = time.Millisecond })
			if err != nil {
				t.Fatal(err)
			}
			creds, err := p.Retrieve(context.Background())
			if tc.wantErr == "" {
				if err != nil || creds.AccessKeyID != "ASIAFAKEREMOTE" || !creds.Expires.Equal(exp) || creds.AccountID != "123456789012" {
					t.Errorf("got %+v, %v", creds.AccessKeyID, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "fake-endpoint-tok") {
				t.Errorf("the endpoint's token is in the error: %v", err)
			}
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d requests, want %d", calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestRemoteDoesNotRetryAnUntrustedCertificate(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { calls.Add(1) }))
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	p, err := NewURL(context.Background(), srv.URL, nil, func(o *Options) { o.Backoff = time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for a certificate no retry can fix, want 1", n)
	}
}

func TestRemoteAuthorizationToken(t *testing.T) {
	exp := time.Now().Add(time.Hour)
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(goodBody(exp)))
	}))
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	env := map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     srv.URL + "/creds",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN":      "from-env",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
	}
	getenv := func(k string) string { return env[k] }
	p, err := New(context.Background(), func(o *Options) { o.Getenv = getenv; o.Backoff = time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}

	// A missing token file is an error, at once: no crash, no hang.
	start := time.Now()
	_, err = p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "reading the authorization token file") || time.Since(start) > time.Second {
		t.Errorf("missing token file: %v after %s", err, time.Since(start))
	}
	// A token file ending in a newline works (the seed crashes), and wins over the variable.
	if err := os.WriteFile(tokenFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); err != nil || got.Load() != "from-file" {
		t.Errorf("token file: %v, sent %q", err, got.Load())
	}
	// Re-read on every fetch.
	_ = os.WriteFile(tokenFile, []byte("rotated\n"), 0o600)
	if _, err := p.Retrieve(context.Background()); err != nil || got.Load() != "rotated" {
		t.Errorf("rotated token file: %v, sent %q", err, got.Load())
	}
	delete(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	p, _ = New(context.Background(), func(o *Options) { o.Getenv = getenv })
	if _, err := p.Retrieve(context.Background()); err != nil || got.Load() != "from-env" {
		t.Errorf("token variable: %v, sent %q", err, got.Load())
	}
}

func TestRemoteEndpointRules(t *testing.T) {
	lookup := func(_ context.Context, host string) ([]string, error) {
		switch host {
		case "localhost":
			return []string{"127.0.0.1", "::1"}, nil
		case "sneaky.example":
			return []string{"127.0.0.1", "10.0.0.5"}, nil
		case "host.docker.internal":
			return []string{"192.168.65.2"}, nil
		}
		return nil, errors.New("no such host")
	}
	tests := []struct {
		relative, full string
		wantURL        string
		wantErr        string
	}{
		{"/v2/credentials/abc", "http://127.0.0.1:1/ignored", "http://169.254.170.2/v2/credentials/abc", ""},
		{"", "http://127.0.0.1:8080/creds", "http://127.0.0.1:8080/creds", ""},
		{"", "http://127.9.9.9/creds", "http://127.9.9.9/creds", ""},
		{"", "http://[::1]:80/creds", "http://[::1]:80/creds", ""},
		{"", "http://localhost:9/creds", "http://localhost:9/creds", ""},
		{"", "http://169.254.170.23/v1/credentials", "http://169.254.170.23/v1/credentials", ""},
		{"", "http://[fd00:ec2::23]/v1/credentials", "http://[fd00:ec2::23]/v1/credentials", ""},
		{"", "https://creds.example.com/x", "https://creds.example.com/x", ""},
		{"", "http://10.0.0.5/creds", "", "plain http is only allowed to loopback"},
		{"", "http://host.docker.internal/creds", "", "resolves to 192.168.65.2"},
		{"", "http://sneaky.example/creds", "", "resolves to 10.0.0.5"},
		{"", "ftp://127.0.0.1/creds", "", "must be http or https"},
		{"", "127.0.0.1/creds", "", "not an absolute URL"},
		{"v2/creds", "", "", "must start with /"},
		{"", "", "", "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor"},
	}
	for _, tc := range tests {
		t.Run(tc.relative+tc.full, func(t *testing.T) {
			env := map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": tc.relative, "AWS_CONTAINER_CREDENTIALS_FULL_URI": tc.full}
			p, err := New(context.Background(), func(o *Options) {
				o.Getenv = func(k string) string { return env[k] }
				o.LookupHost = lookup
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || p.URL() != tc.wantURL {
				t.Errorf("got %v, %v; want %s", p, err, tc.wantURL)
			}
		})
	}
}

func TestRemoteInACacheRefreshesAhead(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(goodBody(time.Now().Add(2 * time.Hour))))
	}))
	defer srv.Close()
	p, _ := NewURL(context.Background(), srv.URL, Token("t"))
	c := tempcreds.NewCache(p)
	for range 10 {
		if _, err := c.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests for 10 Retrieves", calls.Load())
	}
}
