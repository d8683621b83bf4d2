// Package ststest is a fake AWS STS for tests, an httptest for STS: test
// your own credential handling (refresh, role chains, MFA, web identity,
// STS failures) against a real HTTP server that aws-sdk-go-v2's own STS
// client talks to, without AWS. It speaks the real Query
// protocol and XML (its answers decode with aws-sdk-go-v2's own STS client),
// issues distinct credentials per call with the requested lifetime on an
// injectable clock, and behaves like AWS where our code depends on it:
// ExpiredToken for expired signing credentials, the 1-hour role-chaining
// cap, MFA codes that are TOTPs and cannot be reused within their 30-second
// step, RS256 JWT checks for web identity. It counts calls, records which
// access key signed each, and injects faults on demand.
//
// It does not verify SigV4 signatures: it checks that the access key is
// known and that the session token sent matches the one issued with it.
// Every key, secret and token it issues is fake and marked as such.
package ststest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Account is the fake account ID used in every ARN.
const Account = "123456789012"

// Clock tells the fake STS what time it is.
type Clock interface{ Now() time.Time }

type systemClock struct{}

// Now is time.Now.
func (systemClock) Now() time.Time { return time.Now() }

// Identity is a set of credentials the server knows.
type Identity struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // "" for long-term keys
	Expires         time.Time // zero for long-term keys
	Arn             string    // the user or assumed-role ARN
	RoleARN         string    // the role assumed, "" for users and session tokens
	Kind            string    // "user", "session" or "role" or "web-identity"
	IssuedAt        time.Time
	// SourceIdentity of a role session: set on a chain's first role and
	// kept by every role assumed from it (AWS refuses to change it).
	SourceIdentity string
}

// Call is one request the server answered (or refused).
type Call struct {
	Action    string
	SignedBy  string // access key that signed it; "" if unsigned
	RoleARN   string
	Params    url.Values // TokenCode and WebIdentityToken removed
	At        time.Time  // server clock
	ErrorCode string     // "" on success
	Issued    string     // access key issued, on success
	Subject   string     // the web identity token's sub claim, when it had one
}

// Fault is an injected failure for one request.
type Fault struct {
	Latency   time.Duration   // sleep (real time) before answering
	Hold      <-chan struct{} // wait until closed before answering
	Status    int             // answer this HTTP status with an error body (e.g. 500, 503)
	Code      string          // AWS error code to answer, e.g. "Throttling", "ExpiredToken"
	Message   string          // message for Code
	Reset     bool            // close the connection without answering
	Malformed bool            // answer 200 with a body that is not XML
	Truncated bool            // answer 200 with the real body cut in half
	// Echo answers 400 ValidationError whose message repeats every form
	// field (WebIdentityToken and TokenCode included) and the
	// Authorization and X-Amz-Security-Token headers, as a careless proxy
	// or emulator does: for tests asserting no secret reaches any error.
	Echo bool
}

// Server is a fake STS on a loopback port.
type Server struct {
	URL string

	srv   *httptest.Server
	clock Clock

	mu        sync.Mutex
	ids       map[string]*Identity
	calls     []Call
	counts    map[string]int
	faults    []Fault
	faultFunc func(action string) *Fault
	mfa       map[string][]byte // serial -> TOTP secret
	usedCodes map[string]bool   // serial/step/code
	jwtKeys   []*rsa.PublicKey
	audience  string
	maxRole   map[string]time.Duration
	seq       int
	checkDate bool
}

// Option configures a Server.
type Option func(*Server)

// WithClock makes the server issue and check expiry on c.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithSignatureTimeCheck refuses signed requests whose X-Amz-Date is more
// than 15 minutes from the server's clock, with AWS's "Signature expired".
func WithSignatureTimeCheck() Option { return func(s *Server) { s.checkDate = true } }

// New starts a fake STS on 127.0.0.1. It is closed with t.Cleanup by the
// caller through Close.
func New(opts ...Option) *Server {
	s := &Server{
		clock: systemClock{}, ids: map[string]*Identity{}, counts: map[string]int{},
		mfa: map[string][]byte{}, usedCodes: map[string]bool{}, maxRole: map[string]time.Duration{},
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("ststest: listen on loopback: " + err.Error())
	}
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.CloseClientConnections(); s.srv.Close() }

// AddUser registers long-term keys (fake) for an IAM user and returns them.
func (s *Server) AddUser(name string) aws.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := &Identity{
		AccessKeyID:     fmt.Sprintf("AKIAFAKE%012d", s.seq),
		SecretAccessKey: "fake-secret-" + randomHex(16),
		Arn:             "arn:aws:iam::" + Account + ":user/" + name,
		Kind:            "user",
	}
	s.ids[id.AccessKeyID] = id
	return aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, Source: "ststest"}
}

// AddMFADevice registers a TOTP device with the given secret for serial.
func (s *Server) AddMFADevice(serial string, secret []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mfa[serial] = secret
}

// TrustJWTKey makes web identity accept RS256 tokens signed by key's private
// half with audience aud.
func (s *Server) TrustJWTKey(key *rsa.PublicKey, aud string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jwtKeys = append(s.jwtKeys, key)
	s.audience = aud
}

// SetMaxSessionDuration sets a role's MaxSessionDuration (default 12 h).
func (s *Server) SetMaxSessionDuration(roleARN string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxRole[roleARN] = d
}

// InjectFaults makes the next requests fail, one fault per request, in order.
func (s *Server) InjectFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// SetFaultFunc is asked for a fault (or nil) on every request after the
// queued ones; nil clears it.
func (s *Server) SetFaultFunc(fn func(action string) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultFunc = fn
}

// Count returns how many requests for action were received (answered or not).
func (s *Server) Count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[action]
}

// Calls returns a copy of the calls recorded so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Identity returns what the server knows of an access key.
func (s *Server) Identity(accessKeyID string) (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.ids[accessKeyID]
	if !ok {
		return Identity{}, false
	}
	return *id, true
}

// Secrets returns every secret key and session token the server knows
// (issued or registered): for tests asserting none of them leaks.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.ids {
		out = append(out, id.SecretAccessKey)
		if id.SessionToken != "" {
			out = append(out, id.SessionToken)
		}
	}
	return out
}

// Client returns an STS client for this server, signing with creds (nil
// for none) and without SDK retries so tests see each fault.
func (s *Server) Client(creds aws.CredentialsProvider, optFns ...func(*sts.Options)) *sts.Client {
	return sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  creds,
		Retryer:      aws.NopRetryer{},
	}, optFns...)
}

var credentialPattern = regexp.MustCompile(`Credential=([A-Z0-9a-z]+)/`)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeError(w, http.StatusBadRequest, "InvalidAction", "Could not parse the request.")
		return
	}
	form := r.PostForm
	action := form.Get("Action")
	signer := ""
	if m := credentialPattern.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		signer = m[1]
	}

	s.mu.Lock()
	s.counts[action]++
	var fault *Fault
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		fault = &f
	} else if s.faultFunc != nil {
		fault = s.faultFunc(action)
	}
	s.mu.Unlock()

	if s.checkDate && signer != "" {
		if d, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date")); err == nil {
			now := s.clock.Now().UTC()
			if d.Before(now.Add(-15*time.Minute)) || d.After(now.Add(15*time.Minute)) {
				const f = "20060102T150405Z"
				writeError(w, http.StatusForbidden, "SignatureDoesNotMatch", fmt.Sprintf(
					"Signature expired: %s is now earlier than %s (%s - 15 min.)", d.Format(f), now.Add(-15*time.Minute).Format(f), now.Format(f)))
				return
			}
		}
	}
	if fault != nil {
		if fault.Hold != nil {
			select {
			case <-fault.Hold:
			case <-r.Context().Done():
			}
		}
		if fault.Latency > 0 {
			select {
			case <-time.After(fault.Latency):
			case <-r.Context().Done():
			}
		}
		if s.applyFault(w, r, action, signer, form, *fault) {
			return
		}
	}

	s.mu.Lock()
	status, body, code, issued := s.handle(action, signer, r.Header.Get("X-Amz-Security-Token"), form)
	call := Call{Action: action, SignedBy: signer, RoleARN: form.Get("RoleArn"),
		Params: cloneParams(form), At: s.clock.Now(), ErrorCode: code, Issued: issued}
	if tok := form.Get("WebIdentityToken"); tok != "" {
		if c, err := parseClaims(tok); err == nil {
			call.Subject = c.Sub
		}
	}
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// applyFault answers with the fault and reports true, or reports false when
// the fault only delayed the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, action, signer string, form url.Values, f Fault) bool {
	record := func(code string) {
		s.mu.Lock()
		s.calls = append(s.calls, Call{Action: action, SignedBy: signer, RoleARN: form.Get("RoleArn"),
			Params: cloneParams(form), At: s.clock.Now(), ErrorCode: code})
		s.mu.Unlock()
	}
	switch {
	case f.Reset:
		record("fault:reset")
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("ststest: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		}
		return true
	case f.Malformed:
		record("fault:malformed")
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte("<html>this is not STS</html><<<"))
		return true
	case f.Truncated:
		record("fault:truncated")
		s.mu.Lock()
		_, body, _, _ := s.handle(action, signer, r.Header.Get("X-Amz-Security-Token"), form)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(body[:len(body)/2])
		return true
	case f.Echo:
		record("fault:echo")
		var b strings.Builder
		b.WriteString("Invalid request:")
		keys := make([]string, 0, len(form))
		for k := range form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%s", k, form.Get(k))
		}
		fmt.Fprintf(&b, " Authorization=%s X-Amz-Security-Token=%s", r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"))
		writeError(w, http.StatusBadRequest, "ValidationError", b.String())
		return true
	case f.Code != "" || f.Status != 0:
		status, code, msg := f.Status, f.Code, f.Message
		if code == "" {
			code, msg = "InternalFailure", "The request processing has failed because of an unknown error."
			if status == http.StatusServiceUnavailable {
				code, msg = "ServiceUnavailable", "Service is unavailable."
			}
		}
		if status == 0 {
			status = http.StatusBadRequest
		}
		if msg == "" {
			msg = defaultMessages[code]
		}
		record(code)
		writeError(w, status, code, msg)
		return true
	}
	return false
}

var defaultMessages = map[string]string{
	"Throttling":   "Rate exceeded",
	"ExpiredToken": "The security token included in the request is expired",
	"AccessDenied": "User is not authorized to perform: sts:AssumeRole",
}

func cloneParams(form url.Values) url.Values {
	p := url.Values{}
	for k, v := range form {
		if k == "TokenCode" || k == "WebIdentityToken" {
			continue
		}
		p[k] = append([]string(nil), v...)
	}
	return p
}

type apiError struct {
	status        int
	code, message string
}

// Error is the code and message.
func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// handle answers one request; s.mu is held.
func (s *Server) handle(action, signer, token string, form url.Values) (int, []byte, string, string) {
	var (
		result any
		issued string
		err    *apiError
	)
	switch action {
	case "GetSessionToken":
		result, issued, err = s.getSessionToken(signer, token, form)
	case "AssumeRole":
		result, issued, err = s.assumeRole(signer, token, form)
	case "AssumeRoleWithWebIdentity":
		result, issued, err = s.assumeRoleWithWebIdentity(form)
	case "GetCallerIdentity":
		var id *Identity
		id, err = s.authenticate(signer, token)
		if err == nil {
			result = &getCallerIdentityResult{Arn: id.Arn, Account: Account, UserId: id.AccessKeyID}
		}
	default:
		err = errf(400, "InvalidAction", "Could not find operation %s for version 2011-06-15", action)
	}
	if err != nil {
		return err.status, errorBody(err.code, err.message), err.code, ""
	}
	return 200, responseBody(action, result), "", issued
}

// authenticate finds the signer; s.mu is held.
func (s *Server) authenticate(signer, token string) (*Identity, *apiError) {
	if signer == "" {
		return nil, errf(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	id, ok := s.ids[signer]
	if !ok || id.SessionToken != token {
		return nil, errf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if !id.Expires.IsZero() && !s.clock.Now().Before(id.Expires) {
		return nil, errf(400, "ExpiredToken", "The security token included in the request is expired")
	}
	return id, nil
}

func durationParam(form url.Values, def, lo, hi time.Duration) (time.Duration, *apiError) {
	v := form.Get("DurationSeconds")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errf(400, "ValidationError", "Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be a number", v)
	}
	d := time.Duration(n) * time.Second
	if d < lo {
		return 0, errf(400, "ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, int(lo/time.Second))
	}
	if d > hi {
		return 0, errf(400, "ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, int(hi/time.Second))
	}
	return d, nil
}

// checkMFA validates SerialNumber/TokenCode; s.mu is held.
func (s *Server) checkMFA(form url.Values) *apiError {
	serial, code := form.Get("SerialNumber"), form.Get("TokenCode")
	if serial == "" && code == "" {
		return nil
	}
	if serial == "" || code == "" {
		return errf(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(code) {
		return errf(400, "ValidationError", "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*")
	}
	secret, ok := s.mfa[serial]
	now := s.clock.Now()
	step := now.Unix() / 30
	if !ok || (TOTP(secret, now) != code && TOTP(secret, now.Add(-30*time.Second)) != code) {
		return errf(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	key := serial + "/" + code + "/" + strconv.FormatInt(step, 10)
	prev := serial + "/" + code + "/" + strconv.FormatInt(step-1, 10)
	if s.usedCodes[key] || s.usedCodes[prev] {
		return errf(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. The code has already been used.")
	}
	s.usedCodes[key] = true
	return nil
}

// tokenSize reads MinimumSessionTokenSize (0 to 4,096, as STS since
// 2026-09).
func tokenSize(form url.Values) (int, *apiError) {
	v := form.Get("MinimumSessionTokenSize")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 4096 {
		return 0, errf(400, "ValidationError", "1 validation error detected: Value '%s' at 'minimumSessionTokenSize' failed to satisfy constraint: Member must have value less than or equal to 4096", v)
	}
	return n, nil
}

// padToken grows a session token to at least n bytes with characters a
// real token has (base64).
func padToken(tok string, n int) string {
	if len(tok) >= n {
		return tok
	}
	for len(tok) < n {
		tok += "FAKEpadding+/0123456789"
	}
	return tok[:n]
}

// issue creates new temporary credentials; s.mu is held.
func (s *Server) issue(kind, arn, roleARN string, d time.Duration) *Identity {
	s.seq++
	now := s.clock.Now().UTC().Truncate(time.Second)
	id := &Identity{
		AccessKeyID:     fmt.Sprintf("ASIAFAKE%012d", s.seq),
		SecretAccessKey: "fake-secret-" + randomHex(16),
		SessionToken:    "fake-session-token-" + randomHex(24),
		Expires:         now.Add(d),
		Arn:             arn,
		RoleARN:         roleARN,
		Kind:            kind,
		IssuedAt:        now,
	}
	s.ids[id.AccessKeyID] = id
	return id
}

func (s *Server) getSessionToken(signer, token string, form url.Values) (any, string, *apiError) {
	src, err := s.authenticate(signer, token)
	if err != nil {
		return nil, "", err
	}
	if src.SessionToken != "" {
		return nil, "", errf(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	d, err := durationParam(form, 12*time.Hour, 15*time.Minute, 36*time.Hour)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkMFA(form); err != nil {
		return nil, "", err
	}
	size, aerr := tokenSize(form)
	if aerr != nil {
		return nil, "", aerr
	}
	id := s.issue("session", src.Arn, "", d)
	id.SessionToken = padToken(id.SessionToken, size)
	return &getSessionTokenResult{Credentials: credsXML(id)}, id.AccessKeyID, nil
}

var roleARNPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/([\w+=,.@/-]+)$`)

func (s *Server) assumeRole(signer, token string, form url.Values) (any, string, *apiError) {
	src, err := s.authenticate(signer, token)
	if err != nil {
		return nil, "", err
	}
	roleARN, name := form.Get("RoleArn"), form.Get("RoleSessionName")
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, "", errf(400, "ValidationError", "%s is invalid", roleARN)
	}
	if !regexp.MustCompile(`^[\w+=,.@-]{2,64}$`).MatchString(name) {
		return nil, "", errf(400, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	maxD := 12 * time.Hour
	if v, ok := s.maxRole[roleARN]; ok {
		maxD = v
	}
	d, err := durationParam(form, time.Hour, 15*time.Minute, 12*time.Hour)
	if err != nil {
		return nil, "", err
	}
	if src.SessionToken != "" && d > time.Hour {
		return nil, "", errf(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if d > maxD {
		return nil, "", errf(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if p := form.Get("Policy"); p != "" && len(p) > 2048 {
		return nil, "", errf(400, "PackedPolicyTooLarge", "Packed policy consumes 150%% of allotted space, please use smaller policy.")
	}
	if err := s.checkMFA(form); err != nil {
		return nil, "", err
	}
	arn := "arn:aws:sts::" + m[1] + ":assumed-role/" + lastSegment(m[2]) + "/" + name
	size, aerr := tokenSize(form)
	if aerr != nil {
		return nil, "", aerr
	}
	srcIdentity := form.Get("SourceIdentity")
	if src.SourceIdentity != "" && srcIdentity != "" && srcIdentity != src.SourceIdentity {
		return nil, "", errf(403, "AccessDenied", "User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s: the source identity %s of the caller's session cannot be changed", src.Arn, roleARN, src.SourceIdentity)
	}
	if srcIdentity == "" {
		srcIdentity = src.SourceIdentity
	}
	id := s.issue("role", arn, roleARN, d)
	id.SessionToken = padToken(id.SessionToken, size)
	id.SourceIdentity = srcIdentity
	return &assumeRoleResult{Credentials: credsXML(id), AssumedRoleUser: userXML(id, name),
		SourceIdentity: srcIdentity}, id.AccessKeyID, nil
}

func (s *Server) assumeRoleWithWebIdentity(form url.Values) (any, string, *apiError) {
	roleARN, name := form.Get("RoleArn"), form.Get("RoleSessionName")
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, "", errf(400, "ValidationError", "%s is invalid", roleARN)
	}
	d, err := durationParam(form, time.Hour, 15*time.Minute, 12*time.Hour)
	if err != nil {
		return nil, "", err
	}
	claims, refused := verifyJWT(form.Get("WebIdentityToken"), s.jwtKeys)
	if refused != "" {
		return nil, "", errf(400, "InvalidIdentityToken", "%s", refused)
	}
	now := s.clock.Now()
	if exp := time.Unix(claims.Exp, 0); !now.Before(exp) {
		return nil, "", errf(400, "ExpiredTokenException", "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), claims.Exp)
	}
	if !claims.hasAudience(s.audience) {
		return nil, "", errf(400, "InvalidIdentityToken", "Incorrect token audience")
	}
	arn := "arn:aws:sts::" + m[1] + ":assumed-role/" + lastSegment(m[2]) + "/" + name
	size, aerr := tokenSize(form)
	if aerr != nil {
		return nil, "", aerr
	}
	id := s.issue("web-identity", arn, roleARN, d)
	id.SessionToken = padToken(id.SessionToken, size)
	return &assumeRoleWithWebIdentityResult{Credentials: credsXML(id), AssumedRoleUser: userXML(id, name),
		SubjectFromWebIdentityToken: claims.Sub, Audience: s.audience}, id.AccessKeyID, nil
}

func lastSegment(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// XML shapes, as AWS sends them.

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type assumedRoleUserXML struct {
	Arn           string
	AssumedRoleId string
}

type getSessionTokenResult struct {
	Credentials credentialsXML
}

type assumeRoleResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUserXML
	PackedPolicySize int    `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

type assumeRoleWithWebIdentityResult struct {
	Credentials                 credentialsXML
	SubjectFromWebIdentityToken string
	AssumedRoleUser             assumedRoleUserXML
	Audience                    string
	Provider                    string `xml:",omitempty"`
}

type getCallerIdentityResult struct {
	Arn     string
	UserId  string
	Account string
}

func credsXML(id *Identity) credentialsXML {
	return credentialsXML{AccessKeyId: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey,
		SessionToken: id.SessionToken, Expiration: id.Expires.UTC().Format(time.RFC3339)}
}

func userXML(id *Identity, name string) assumedRoleUserXML {
	return assumedRoleUserXML{Arn: id.Arn, AssumedRoleId: "AROAFAKE" + strings.ToUpper(randomHex(6)) + ":" + name}
}

func responseBody(action string, result any) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	fmt.Fprintf(&buf, `<%sResponse xmlns="%s">`, action, stsNamespace)
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		panic(err)
	}
	if err := enc.Flush(); err != nil {
		panic(err)
	}
	fmt.Fprintf(&buf, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, requestID(), action)
	return buf.Bytes()
}

func errorBody(code, message string) []byte {
	typ := "Sender"
	if code == "InternalFailure" || code == "ServiceUnavailable" {
		typ = "Receiver"
	}
	type errXML struct {
		Type    string
		Code    string
		Message string
	}
	body := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errXML
		RequestId string
	}{Xmlns: stsNamespace, Error: errXML{typ, code, message}, RequestId: requestID()}
	out, _ := xml.Marshal(body)
	return append([]byte(xml.Header), out...)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(code, message))
}

func requestID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
