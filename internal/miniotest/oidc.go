package miniotest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

// OIDC is a minimal OpenID Connect issuer on loopback: a discovery
// document, a JWKS with one RS256 key, and a way to mint ID tokens. It is
// what MinIO verifies AssumeRoleWithWebIdentity tokens against.
type OIDC struct {
	// URL is the issuer, e.g. http://127.0.0.1:40123.
	URL string
	// ClientID is the audience MinIO expects.
	ClientID string
	// Policy is the MinIO policy name put in the "policy" claim.
	Policy string

	key *rsa.PrivateKey
	srv *http.Server
	ln  net.Listener
}

// StartOIDC starts an issuer on 127.0.0.1 with a fresh RSA key.
func StartOIDC() (*OIDC, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("oidc: listen on loopback: %w", err)
	}
	o := &OIDC{URL: "http://" + ln.Addr().String(), ClientID: "tempcreds-test", Policy: "readwrite", key: key, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", o.discovery)
	mux.HandleFunc("/jwks", o.jwks)
	o.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = o.srv.Serve(ln) }()
	return o, nil
}

// Close stops the issuer.
func (o *OIDC) Close() { _ = o.srv.Close() }

// ConfigURL is the discovery document's address.
func (o *OIDC) ConfigURL() string { return o.URL + "/.well-known/openid-configuration" }

func (o *OIDC) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                o.URL,
		"authorization_endpoint":                o.URL + "/authorize",
		"token_endpoint":                        o.URL + "/token",
		"userinfo_endpoint":                     o.URL + "/userinfo",
		"jwks_uri":                              o.URL + "/jwks",
		"response_types_supported":              []string{"code", "id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "policy"},
	})
}

func (o *OIDC) jwks(w http.ResponseWriter, _ *http.Request) {
	enc := base64.RawURLEncoding
	pub := o.key.PublicKey
	writeJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": ststest.JWTKeyID,
		"n": enc.EncodeToString(pub.N.Bytes()),
		"e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Token mints an ID token for sub, valid for ttl from now, with this
// issuer, audience and policy claim.
func (o *OIDC) Token(sub string, ttl time.Duration) string {
	now := time.Now()
	return o.Sign(map[string]any{
		"iss": o.URL, "sub": sub, "aud": o.ClientID, "azp": o.ClientID,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "policy": o.Policy,
	})
}

// Sign signs any claims with the issuer's key (RS256, kid tempcreds-test).
func (o *OIDC) Sign(claims map[string]any) string { return SignRS256(o.key, claims) }

// SignRS256 signs claims with key: for tokens from a key MinIO does not trust.
func SignRS256(key *rsa.PrivateKey, claims map[string]any) string {
	return ststest.SignAnyJWT(key, claims)
}

// RotateToken writes a fresh token (subject sub, valid for ttl) to path
// now and then every interval, atomically, until stop is called: an
// identity provider's agent refreshing a projected token file.
func (o *OIDC) RotateToken(path, sub string, ttl, interval time.Duration) (stop func()) {
	write := func() {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(o.Token(sub, ttl)+"\n"), 0o600); err == nil {
			_ = os.Rename(tmp, path)
		}
	}
	write()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				write()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
