// Package server serves refreshing credentials over the container
// credentials protocol (what AWS_CONTAINER_CREDENTIALS_FULL_URI points to),
// so other processes, SDKs and containers get credentials that refresh
// themselves.
//
// It binds loopback unless told otherwise, requires a random 256-bit token
// compared in constant time (no token: 401, wrong token: 403), checks the
// Host header against the listener (defeating DNS rebinding), answers GET
// only, sets every timeout, and serves from a refresh-ahead tempcreds.Cache:
// once warm, no request waits on STS.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/containercreds"
)

// Defaults of Options.
const (
	// DefaultMinRemaining is the life served credentials keep at least,
	// when the session allows: botocore refreshes 15 minutes before expiry
	// and fails on credentials with less than 10 minutes left.
	DefaultMinRemaining = 15 * time.Minute
	// MinRemainingFraction caps the life kept for short sessions: a
	// 15-minute session is served while it has 75% of its life left.
	MinRemainingFraction = 0.75
)

// Keeping is the server's freshness for answers that keep minRemaining of
// life (capped to MinRemainingFraction of short sessions): the refresh
// starts RefreshLead earlier (capped half-way between that fraction and the
// whole session).
func Keeping(minRemaining time.Duration) tempcreds.Freshness {
	return tempcreds.Freshness{Min: minRemaining, MinFraction: MinRemainingFraction,
		Ahead: minRemaining + RefreshLead, AheadFraction: MinRemainingFraction + (1-MinRemainingFraction)/2}
}

// Options configure a Server.
type Options struct {
	// Token is the authorization token clients must send; default a random
	// 256-bit hex string.
	Token string
	// Freshness: served credentials have at least its Need left, and are
	// refreshed from its Lead on. Zero: Keeping(DefaultMinRemaining), 15 min.
	Freshness tempcreds.Freshness
	// Logger receives one line per refresh (never a secret). Default: none.
	Logger *slog.Logger
	// Clock (tests).
	Clock tempcreds.Clock
	// ReadHeaderTimeout (default 2 s) and the other server timeouts.
	ReadHeaderTimeout time.Duration
}

// Server answers container-credentials requests with one provider's
// credentials (Handler), optionally on several named paths.
type Server struct {
	token     [32]byte // SHA-256 of the token: compared in constant time
	tokenText string
	cache     *tempcreds.Cache
	routes    map[string]*tempcreds.Cache
	logger    *slog.Logger
	hosts     atomic.Pointer[[]string]
	opts      Options
	served    atomic.Int64
	http      *http.Server
	started   atomic.Bool // set by Start/Serve: Add is then refused
	stopOnce  sync.Once
	stop      chan struct{} // closed by Shutdown: ends the refreshers
}

// NewToken returns a random 256-bit token, hex encoded.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("server: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// RefreshLead is how long before the minimum-remaining mark the server starts
// refreshing (plus up to 20% jitter): long enough for STS and a retry or
// two, short enough to use most of every session.
const RefreshLead = 3 * time.Minute

// New returns a server for provider (served at "/"). The provider is
// wrapped in a Cache whose windows keep MinRemaining of life in every
// answer and refresh RefreshLead before that.
func New(provider aws.CredentialsProvider, optFns ...func(*Options)) *Server {
	o := Options{ReadHeaderTimeout: 2 * time.Second}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Freshness == (tempcreds.Freshness{}) {
		o.Freshness = Keeping(DefaultMinRemaining)
	}
	if o.Token == "" {
		o.Token = NewToken()
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 2 * time.Second
	}
	s := &Server{tokenText: o.Token, token: sha256.Sum256([]byte(o.Token)), logger: o.Logger, opts: o,
		routes: map[string]*tempcreds.Cache{}, stop: make(chan struct{})}
	s.cache = s.Add("/", provider)
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    8 << 10,
	}
	return s
}

// Add serves another provider at path (e.g. "/profiles/prod"), with the
// same token and windows. It returns the Cache it serves from. It must be
// called before Start or Serve: afterwards it panics (routes are read
// without a lock while serving).
func (s *Server) Add(path string, provider aws.CredentialsProvider) *tempcreds.Cache {
	if s.started.Load() {
		panic("server: Add called after Start or Serve; add every path first")
	}
	if c, ok := provider.(*tempcreds.Cache); ok {
		provider = c.Provider() // re-wrap with the server's windows
	}
	c := tempcreds.NewCache(provider, func(co *tempcreds.CacheOptions) {
		co.Freshness = s.opts.Freshness
		co.Clock = s.opts.Clock
		co.OnLoad = func(exp time.Time, err error) { s.logLoad(path, exp, err) }
	})
	s.routes[path] = c
	return c
}

func (s *Server) logLoad(path string, exp time.Time, err error) {
	if s.logger == nil {
		return
	}
	if err != nil {
		s.logger.Warn("refresh failed", "path", path, "error", redact.SafeMessage(err))
		return
	}
	if exp.IsZero() {
		s.logger.Info("credentials loaded (they do not expire)", "path", path)
		return
	}
	s.logger.Info("credentials refreshed", "path", path, "expires", exp.UTC().Format(time.RFC3339),
		"left", exp.Sub(s.now()).Round(time.Second).String())
}

// Token returns the authorization token clients must send.
func (s *Server) Token() string { return s.tokenText }

// Served returns how many requests got credentials.
func (s *Server) Served() int64 { return s.served.Load() }

// Warm loads the credentials of every path, so the first client does not
// wait, and reports the first error.
func (s *Server) Warm(ctx context.Context) error {
	for path, c := range s.routes {
		if _, err := c.Retrieve(ctx); err != nil {
			return &WarmError{Path: path, Err: err}
		}
	}
	return nil
}

// Listen binds addr, refusing a non-loopback address unless allowRemote.
// A refused address is a *tempcreds.ConfigError about the field "Listen"
// (or "AllowRemote").
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &tempcreds.ConfigError{Field: "Listen", Value: addr, Problem: "{{Listen}} {{value}}: want HOST:PORT, e.g. 127.0.0.1:0"}
	}
	if host == "localhost" {
		// A name, not an address: listen where it means, on IPv4 loopback
		// (the address every SDK's loopback check accepts).
		addr = net.JoinHostPort("127.0.0.1", port)
		host = "127.0.0.1"
	}
	if !allowRemote {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.IsLoopback() {
			return nil, &tempcreds.ConfigError{Field: "AllowRemote", Value: addr, Problem: "refusing to listen on {{value}}: not a loopback address; " +
				"anyone who can reach it and learn the token gets your credentials (set {{AllowRemote}} to do it anyway)"}
		}
	}
	return net.Listen("tcp", addr)
}

// Start serves on ln in the background; URL works as soon as it returns.
// The returned channel reports how serving ended.
func (s *Server) Start(ln net.Listener) <-chan error {
	s.started.Store(true)
	s.setHosts(ln.Addr())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	return done
}

// Serve answers on ln until Shutdown, and refreshes every path's
// credentials ahead on a timer.
func (s *Server) Serve(ln net.Listener) error {
	s.started.Store(true)
	s.setHosts(ln.Addr())
	for _, c := range s.routes {
		go s.refreshAhead(c) // ends on Shutdown
	}
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the server gracefully.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stop) })
	return s.http.Shutdown(ctx)
}

// refreshCheck bounds how long a refresher sleeps before looking at the
// clock again: an injected clock can jump, and a suspended machine wakes.
const refreshCheck = time.Second

// refreshAhead refreshes c at its refresh point on a timer, so the first
// request after an idle period is answered from memory, never waiting on
// STS. A failed refresh is retried with backoff (1 s doubling to 1 min)
// while the cached credentials are still served.
func (s *Server) refreshAhead(c *tempcreds.Cache) {
	backoff := time.Duration(0)
	for {
		wait := refreshCheck
		if at := c.NextRefresh(); !at.IsZero() {
			wait = min(max(at.Sub(s.now()), 0), refreshCheck)
		}
		if backoff > 0 {
			wait = backoff
		}
		select {
		case <-s.stop:
			return
		case <-time.After(wait):
		}
		if at := c.NextRefresh(); at.IsZero() || s.now().Before(at) {
			backoff = 0 // nothing due (or a request already refreshed it)
			continue
		}
		if err := c.RefreshIfDue(context.Background()); err != nil {
			backoff = min(max(2*backoff, time.Second), time.Minute)
			continue
		}
		backoff = 0
	}
}

// now is the injected clock's time (the system's by default).
func (s *Server) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock.Now()
	}
	return time.Now()
}

// setHosts records the Host header values that name the listener: its
// address (the first, used by URL), localhost for loopback, and for a
// wildcard bind (--allow-remote) every address of this host's interfaces,
// with 127.0.0.1 first so the printed URL works here.
func (s *Server) setHosts(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return
	}
	port := strconv.Itoa(tcp.Port)
	var hosts []string
	if tcp.IP.IsUnspecified() {
		hosts = append(hosts, net.JoinHostPort("127.0.0.1", port), "localhost:"+port)
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					hosts = append(hosts, net.JoinHostPort(ipn.IP.String(), port))
				}
			}
		}
	} else {
		hosts = append(hosts, net.JoinHostPort(tcp.IP.String(), port))
		if tcp.IP.IsLoopback() {
			hosts = append(hosts, "localhost:"+port)
		}
	}
	s.hosts.Store(&hosts)
}

// URL returns the address clients use (AWS_CONTAINER_CREDENTIALS_FULL_URI).
func (s *Server) URL(path string) string {
	h := s.hosts.Load()
	if h == nil {
		return ""
	}
	return "http://" + (*h)[0] + path
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(containercreds.ErrorBody{Code: code, Message: msg})
}

// ServeHTTP answers one request. It serves GET in origin form ("GET /
// HTTP/1.1" with a Host header naming the listener), as every SDK sends;
// an absolute URL in the request line (a proxy's form: in a test, an
// httptest.NewRequest target with a scheme and host) is refused.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "only GET is served")
		return
	}
	if r.URL.IsAbs() || r.URL.Host != "" {
		// An absolute-form request line (GET http://host/ HTTP/1.1) names
		// a host Go takes over the Host header: a proxy's form, never a
		// credentials client's. Refused, so only Host is ever judged.
		writeError(w, http.StatusBadRequest, "InvalidRequest", "an absolute URL in the request line is not served: send the path and a Host header")
		return
	}
	if !s.hostAllowed(r.Host) {
		writeError(w, http.StatusForbidden, "InvalidHost", "the Host header does not name this server")
		return
	}
	if len(r.Header.Values("Authorization")) > 1 {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "more than one Authorization header: send one")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeError(w, http.StatusUnauthorized, "MissingToken", "an Authorization header with the token is required")
		return
	}
	sum := sha256.Sum256([]byte(strings.TrimPrefix(auth, "Bearer ")))
	if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		writeError(w, http.StatusForbidden, "InvalidToken", "the Authorization token is wrong")
		return
	}
	c, ok := s.routes[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "no credentials are served at this path")
		return
	}
	creds, err := c.Retrieve(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "CredentialsUnavailable", redact.SafeMessage(err))
		return
	}
	exp := creds.Expires
	if !creds.CanExpire {
		// Long-term keys: clients need an Expiration; an hour makes them
		// come back, and the keys are the same then.
		exp = time.Now().Add(time.Hour).Truncate(time.Second)
	}
	body, _ := json.Marshal(containercreds.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
		Token: creds.SessionToken, Expiration: exp.UTC().Format(time.RFC3339), AccountID: creds.AccountID})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	s.served.Add(1)
}

func (s *Server) hostAllowed(host string) bool {
	h := s.hosts.Load()
	if h == nil {
		return false
	}
	for _, ok := range *h {
		if strings.EqualFold(host, ok) {
			return true
		}
	}
	return false
}

// WarmError is Warm's failure to get the credentials of a path.
type WarmError struct {
	Path string
	Err  error
}

// Error names the path; the cause's own "tempcreds:" is not repeated.
func (e *WarmError) Error() string {
	return "tempcreds: credentials for " + e.Path + ": " + strings.TrimPrefix(redact.SafeMessage(e.Err), "tempcreds: ")
}

// Unwrap returns the cause.
func (e *WarmError) Unwrap() error { return e.Err }
