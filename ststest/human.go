package ststest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// IssueSession issues temporary credentials (as an SSO role or an `aws
// login` session would hold) that this STS accepts as a signer.
func (s *Server) IssueSession(name string, d time.Duration) aws.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.issue("session", "arn:aws:iam::"+Account+":user/"+name, "", d)
	return aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken,
		CanExpire: true, Expires: id.Expires, Source: "ststest"}
}

// Human fakes the services behind the sessions a person starts: IAM
// Identity Center's portal (GetRoleCredentials) and OIDC service
// (CreateToken, refreshing an SSO token), and the sign-in service
// (CreateOAuth2Token, refreshing an `aws login` session), in AWS's JSON
// formats. Point aws-sdk-go-v2 at it with AWS_ENDPOINT_URL_SSO,
// AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SIGNIN. Refresh tokens
// rotate on every refresh, as the real services do: a second refresh with
// the old one is refused (invalid_grant).
type Human struct {
	*httptest.Server
	sts     *Server
	mu      sync.Mutex
	access  map[string]bool // valid SSO access tokens
	refresh map[string]bool // valid refresh tokens (SSO and login)
	counts  map[string]int
	seq     int
}

// NewHuman starts the fake on loopback; role credentials come from sts.
func NewHuman(sts *Server) *Human {
	h := &Human{sts: sts, access: map[string]bool{}, refresh: map[string]bool{}, counts: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

// Grant makes an SSO access token and a refresh token valid (what `aws sso
// login` or `aws login` leaves in the token cache).
func (h *Human) Grant(accessToken, refreshToken string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if accessToken != "" {
		h.access[accessToken] = true
	}
	if refreshToken != "" {
		h.refresh[refreshToken] = true
	}
}

// Revoke makes tokens invalid (an expired or signed-out session).
func (h *Human) Revoke(tokens ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range tokens {
		delete(h.access, t)
		delete(h.refresh, t)
	}
}

// Count returns how many calls of op ("GetRoleCredentials", "CreateToken",
// "CreateOAuth2Token") were answered, refused ones included.
func (h *Human) Count(op string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[op]
}

func (h *Human) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/federation/credentials":
		h.getRoleCredentials(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		h.refreshToken(w, r, "CreateToken", func(tok string, c aws.Credentials) any {
			return map[string]any{"accessToken": tok, "expiresIn": 3600, "refreshToken": h.newRefresh(), "tokenType": "Bearer"}
		})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/token":
		if r.Header.Get("DPoP") == "" {
			jsonError(w, 400, "ValidationException", "", "a DPoP proof is required")
			return
		}
		h.refreshToken(w, r, "CreateOAuth2Token", func(_ string, c aws.Credentials) any {
			return map[string]any{"accessToken": map[string]string{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey,
				"sessionToken": c.SessionToken}, "expiresIn": 900, "refreshToken": h.newRefresh(), "tokenType": "aws_sigv4"}
		})
	default:
		jsonError(w, 404, "ResourceNotFoundException", "", "no such operation")
	}
}

func (h *Human) getRoleCredentials(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.counts["GetRoleCredentials"]++
	ok := h.access[r.Header.Get("X-Amz-Sso_bearer_token")]
	h.mu.Unlock()
	if !ok {
		jsonError(w, 401, "UnauthorizedException", "", "Session token not found or invalid")
		return
	}
	c := h.sts.IssueSession("sso-"+r.URL.Query().Get("role_name"), time.Hour)
	_ = json.NewEncoder(w).Encode(map[string]any{"roleCredentials": map[string]any{"accessKeyId": c.AccessKeyID,
		"secretAccessKey": c.SecretAccessKey, "sessionToken": c.SessionToken, "expiration": c.Expires.UnixMilli()}})
}

// refreshToken answers a refresh-token grant, rotating the refresh token.
func (h *Human) refreshToken(w http.ResponseWriter, r *http.Request, op string, answer func(accessToken string, c aws.Credentials) any) {
	var in struct {
		GrantType    string `json:"grantType"`
		RefreshToken string `json:"refreshToken"`
	}
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in)
	h.mu.Lock()
	h.counts[op]++
	ok := in.GrantType == "refresh_token" && h.refresh[in.RefreshToken]
	delete(h.refresh, in.RefreshToken)
	h.mu.Unlock()
	if !ok {
		if op == "CreateOAuth2Token" {
			jsonError(w, 400, "AccessDeniedException", "TOKEN_EXPIRED", "the login session has expired")
		} else {
			jsonError(w, 400, "InvalidGrantException", "invalid_grant", "the refresh token is invalid or expired")
		}
		return
	}
	h.mu.Lock()
	h.seq++
	tok := fmt.Sprintf("fake-sso-access-token-%d", h.seq)
	h.access[tok] = true
	h.mu.Unlock()
	_ = json.NewEncoder(w).Encode(answer(tok, h.sts.IssueSession("login", time.Hour)))
}

func (h *Human) newRefresh() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	t := fmt.Sprintf("fake-refresh-token-%d", h.seq)
	h.refresh[t] = true
	return t
}

func jsonError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.WriteHeader(status)
	body := map[string]string{"__type": typ, "message": msg}
	if code != "" {
		body["error"], body["error_description"] = code, msg
	}
	_ = json.NewEncoder(w).Encode(body)
}

// WriteSSOToken writes aws-sdk-go-v2's SSO token cache entry under home
// for key (the sso_session name, or a legacy profile's start URL), as `aws
// sso login` leaves it, and makes the tokens valid here.
func (h *Human) WriteSSOToken(home, key, accessToken, refreshToken string, expires time.Time) error {
	h.Grant(accessToken, refreshToken)
	sum := sha1.Sum([]byte(key))
	b, _ := json.Marshal(map[string]string{"accessToken": accessToken, "expiresAt": expires.UTC().Format(time.RFC3339),
		"refreshToken": refreshToken, "clientId": "fake-client-id", "clientSecret": "fake-client-secret",
		"registrationExpiresAt": expires.Add(90 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"region":                "us-east-1", "startUrl": "https://corp.example.com/start"})
	return writeToken(filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), b)
}

// WriteLoginToken writes aws-sdk-go-v2's `aws login` token cache entry
// under home for the login session (a principal ARN): session credentials
// this STS accepts, valid until expires, a fresh DPoP key, and a refresh
// token made valid here.
func (h *Human) WriteLoginToken(home, session, refreshToken string, expires time.Time) error {
	h.Grant("", refreshToken)
	c := h.sts.IssueSession("login", time.Hour)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{
		"accessToken": map[string]any{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey, "sessionToken": c.SessionToken,
			"accountId": Account, "expiresAt": expires.UTC().Format(time.RFC3339)},
		"tokenType": "aws_sigv4", "refreshToken": refreshToken, "clientId": "arn:aws:signin:::devtools/same-device",
		"dpopKey": string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))})
	sum := sha256.Sum256([]byte(session))
	return writeToken(filepath.Join(home, ".aws", "login", "cache", hex.EncodeToString(sum[:])+".json"), b)
}

func writeToken(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
