package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/endpointtest"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

type fakeProvider struct {
	clk   *fakeclock.Clock
	calls atomic.Int64
	gate  chan struct{}
	life  time.Duration
}

func (p *fakeProvider) Retrieve(context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	if p.gate != nil && n > 1 {
		<-p.gate
	}
	return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n), SecretAccessKey: "fake-secret", SessionToken: "fake-token",
		CanExpire: true, Expires: p.clk.Now().Add(p.life), AccountID: "123456789012"}, nil
}

func start(t *testing.T, p aws.CredentialsProvider, optFns ...func(*Options)) (*Server, string) {
	t.Helper()
	s := New(p, optFns...)
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(ln)
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s, ln.Addr().String()
}

func get(t *testing.T, url, host, token string) (int, map[string]string) {
	t.Helper()
	_, code, body, err := endpointtest.Do(http.MethodGet, url, host, token)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	_ = json.Unmarshal(body, &m)
	return code, m
}

func TestOnlyTheTokenHolderGetsCredentials(t *testing.T) {
	clk := fakeclock.New(t0)
	s, addr := start(t, &fakeProvider{clk: clk, life: time.Hour}, func(o *Options) { o.Clock = clk })
	url := "http://" + addr + "/"
	tok := s.Token()
	if len(tok) != 64 {
		t.Fatalf("token %d hex digits, want 64 (256 bits)", len(tok))
	}
	lastByte := tok[:63] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", tok[63])+1)%16])
	tests := []struct {
		name, host, token string
		status            int
	}{
		{"the right token gets credentials", "", tok, 200},
		{"Bearer prefix accepted", "", "Bearer " + tok, 200},
		{"localhost names the listener", "localhost:" + addr[strings.LastIndex(addr, ":")+1:], tok, 200},
		{"no token", "", "", 401},
		{"a wrong token", "", "not-the-token", 403},
		{"a token differing in its last byte", "", lastByte, 403},
		{"a token with a suffix", "", tok + "x", 403},
		{"a spoofed Host header (DNS rebinding)", "evil.example:80", tok, 403},
		{"a Host with the wrong port", "127.0.0.1:1", tok, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, url, tc.host, tc.token)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if tc.status != 200 && body["AccessKeyId"] != "" {
				t.Error("credentials in a refused answer")
			}
			if tc.status == 200 && (body["AccessKeyId"] == "" || body["Token"] == "" || body["Expiration"] == "" || body["AccountId"] != "123456789012") {
				t.Errorf("answer %v", body)
			}
		})
	}
	t.Run("POST is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("{}"))
		req.Header.Set("Authorization", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("an unknown path is 404", func(t *testing.T) {
		if status, _ := get(t, "http://"+addr+"/other", "", tok); status != 404 {
			t.Errorf("status %d", status)
		}
	})
}

func TestSlowlorisIsCutByTheHeaderTimeout(t *testing.T) {
	clk := fakeclock.New(t0)
	_, addr := start(t, &fakeProvider{clk: clk, life: time.Hour}, func(o *Options) { o.Clock = clk; o.ReadHeaderTimeout = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: "))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	b, err := io.ReadAll(bufio.NewReader(conn))
	if time.Since(start) > 3*time.Second || strings.Contains(string(b), "AccessKeyId") {
		t.Errorf("connection held %s (err %v), read %q", time.Since(start), err, b)
	}
}

func TestNonLoopbackNeedsAllowRemote(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		ln, err := Listen(addr, false)
		var ce *tempcreds.ConfigError
		if err == nil || !errors.As(err, &ce) || ce.Field != "AllowRemote" || ce.Value != addr || !strings.Contains(err.Error(), "AllowRemote") {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("Listen(%s) = %v, want a *tempcreds.ConfigError naming AllowRemote", addr, err)
		}
	}
	if _, err := Listen("127.0.0.1", false); err == nil || !strings.Contains(err.Error(), "HOST:PORT") {
		t.Errorf("no port: %v", err)
	}
}

func TestServesFromTheCacheAndKeepsMinRemaining(t *testing.T) {
	clk := fakeclock.New(t0)
	p := &fakeProvider{clk: clk, life: time.Hour, gate: make(chan struct{})}
	s, addr := start(t, p, func(o *Options) { o.Clock = clk })
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr + "/"
	// The soft window is MinRemaining + 3 min (+ jitter) = 18 min or more:
	// at 43 minutes (17 left) a background refresh starts; the answer must
	// not wait for it.
	clk.Set(t0.Add(43 * time.Minute))
	done := make(chan map[string]string)
	go func() { _, m := get(t, url, "", s.Token()); done <- m }()
	select {
	case m := <-done:
		if m["AccessKeyId"] != "ASIAFAKE1" {
			t.Errorf("served %v, want the cached credentials at once", m["AccessKeyId"])
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the answer waited for STS")
	}
	close(p.gate)
	for i := 0; p.calls.Load() < 2 && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	// Past 45 minutes (15 left) the old credentials are never served.
	clk.Set(t0.Add(46 * time.Minute))
	for range 5 {
		status, m := get(t, url, "", s.Token())
		exp, _ := time.Parse(time.RFC3339, m["Expiration"])
		if status != 200 || exp.Sub(clk.Now()) < DefaultMinRemaining {
			t.Fatalf("status %d, credentials with %s left; want at least 15 min", status, exp.Sub(clk.Now()))
		}
	}

	t.Run("a 15-minute session is served while 75% of it is left", func(t *testing.T) {
		clk := fakeclock.New(t0)
		p := &fakeProvider{clk: clk, life: 15 * time.Minute}
		s, addr := start(t, p, func(o *Options) { o.Clock = clk })
		for step := 0; step < 60; step++ {
			status, m := get(t, "http://"+addr+"/", "", s.Token())
			exp, _ := time.Parse(time.RFC3339, m["Expiration"])
			if status != 200 || exp.Sub(clk.Now()) < 11*time.Minute {
				t.Fatalf("at +%s: status %d, %s left", clk.Now().Sub(t0), status, exp.Sub(clk.Now()))
			}
			clk.Advance(30 * time.Second)
		}
	})
}

// TestNoSecretInTheLogOrTheAnswerWhenASourceEchoesOne: a provider whose
// error carries secrets (a credential_process's output, an STS that echoes
// the token) must not put them in the 503 answer or the log.
func TestNoSecretInTheLogOrTheAnswerWhenASourceEchoesOne(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZXNpZ25hdHVyZQ"
	const secret = "fAkEsEcReT0123456789fAkEsEcReT0123456789"
	p := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, fmt.Errorf(`InvalidIdentityToken: bad WebIdentityToken=%s; process printed {"SecretAccessKey":"%s"}`, jwt, secret)
	})
	var logs strings.Builder
	var mu syncWriter
	mu.w = &logs
	s, addr := start(t, p, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&mu, nil)) })
	_, code, body, err := endpointtest.Do(http.MethodGet, "http://"+addr+"/", addr, s.Token())
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusServiceUnavailable {
		t.Fatalf("HTTP %d, want 503", code)
	}
	mu.Lock()
	defer mu.Unlock()
	for where, out := range map[string]string{"answer": string(body), "log": logs.String()} {
		if strings.Contains(out, jwt) || strings.Contains(out, secret) {
			t.Errorf("the %s holds a secret: %s", where, out)
		}
	}
	if !strings.Contains(string(body), "InvalidIdentityToken") {
		t.Errorf("the answer lost the error's code: %s", body)
	}
}

type syncWriter struct {
	sync.Mutex
	w io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.Lock()
	defer s.Unlock()
	return s.w.Write(b)
}

// slowProvider answers its first call at once and every later one after
// delay (a slow STS).
type slowProvider struct {
	clk   *fakeclock.Clock
	calls atomic.Int64
	delay time.Duration
}

func (p *slowProvider) Retrieve(context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	if n > 1 {
		time.Sleep(p.delay)
	}
	return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n), SecretAccessKey: "fake-secret", SessionToken: "fake-token",
		CanExpire: true, Expires: p.clk.Now().Add(time.Hour), AccountID: "123456789012"}, nil
}

// TestAnIdleServerRefreshesAheadOnATimer: with no request for a long idle
// period spanning the refresh point, the server refreshes by itself, so the
// first request after it is answered from memory without calling the (slow)
// provider.
func TestAnIdleServerRefreshesAheadOnATimer(t *testing.T) {
	clk := fakeclock.New(t0)
	p := &slowProvider{clk: clk, delay: 300 * time.Millisecond}
	s, addr := start(t, p, func(o *Options) { o.Clock = clk })
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Idle: 43 minutes pass without a request (the refresh point of a 1 h
	// session is at 42 minutes or earlier).
	clk.Set(t0.Add(43 * time.Minute))
	for i := 0; (p.calls.Load() < 2 || s.cache.Loading()) && i < 1000; i++ { // bounded: ~5 s
		time.Sleep(5 * time.Millisecond)
	}
	if p.calls.Load() < 2 {
		t.Fatal("the idle server did not refresh by itself")
	}
	// Past the old credentials' 15-minute mark: they can no longer be served.
	clk.Set(t0.Add(47 * time.Minute))
	before := p.calls.Load()
	status, m := get(t, "http://"+addr+"/", "", s.Token())
	if status != 200 || m["AccessKeyId"] != "ASIAFAKE2" {
		t.Fatalf("status %d, %v: want the credentials refreshed while idle", status, m["AccessKeyId"])
	}
	if p.calls.Load() != before {
		t.Error("the first request after idle waited for the provider")
	}
	if m["AccountId"] != "123456789012" {
		t.Errorf("AccountId = %q, want it in the answer", m["AccountId"])
	}
}

func TestAddAfterStartIsRefused(t *testing.T) {
	clk := fakeclock.New(t0)
	s, _ := start(t, &fakeProvider{clk: clk, life: time.Hour}, func(o *Options) { o.Clock = clk })
	defer func() {
		if recover() == nil {
			t.Error("Add after Start was accepted: its route would be read without a lock")
		}
	}()
	s.Add("/profiles/late", &fakeProvider{clk: clk, life: time.Hour})
}

// TestRequestsThatHideTheirHostOrTokenAreRefused: a raw request line in
// absolute form names a host Go would take over Host; two Authorization
// headers let the first one win. Both are refused, even with the token.
func TestRequestsThatHideTheirHostOrTokenAreRefused(t *testing.T) {
	clk := fakeclock.New(t0)
	s, addr := start(t, &fakeProvider{clk: clk, life: time.Hour}, func(o *Options) { o.Clock = clk })
	tok := s.Token()
	tests := []struct {
		name, request string
		status        int
	}{
		{"the plain form gets credentials", "GET / HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: " + tok + "\r\n\r\n", 200},
		{"an absolute-form request line naming this server", "GET http://" + addr + "/ HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: " + tok + "\r\n\r\n", 400},
		{"an absolute-form line over a spoofed Host", "GET http://" + addr + "/ HTTP/1.1\r\nHost: evil.example\r\nAuthorization: " + tok + "\r\n\r\n", 400},
		{"two Authorization headers, the token first", "GET / HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: " + tok + "\r\nAuthorization: other\r\n\r\n", 400},
		{"two Authorization headers, the token second", "GET / HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: other\r\nAuthorization: " + tok + "\r\n\r\n", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.request); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d (%s), want %d", resp.StatusCode, body, tc.status)
			}
			if tc.status != 200 && strings.Contains(string(body), "AccessKeyId") {
				t.Error("credentials in a refused answer")
			}
		})
	}
}
