package ststest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"errors"
	"strings"
)

// Claims are the JWT claims the fake STS reads.
type Claims struct {
	Iss string `json:"iss,omitempty"`
	Sub string `json:"sub,omitempty"`
	Aud any    `json:"aud,omitempty"` // a string or a list of strings
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat,omitempty"`
}

func (c Claims) hasAudience(aud string) bool {
	switch v := c.Aud.(type) {
	case string:
		return v == aud
	case []any:
		for _, a := range v {
			if s, ok := a.(string); ok && s == aud {
				return true
			}
		}
	}
	return false
}

// SignJWT returns an RS256 JWT of claims signed with key.
func SignJWT(key *rsa.PrivateKey, claims Claims) string { return SignAnyJWT(key, claims) }

// verifyJWT checks an RS256 signature against any of keys and returns the
// claims, or AWS's message for a refused token; expiry and audience are
// checked by the caller.
func verifyJWT(token string, keys []*rsa.PublicKey) (Claims, string) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, "Token is not a JWT"
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return c, "Token is not a JWT"
	}
	var h struct{ Alg string }
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
		return c, "Token uses an unsupported signing algorithm"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	ok := false
	for _, k := range keys {
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) == nil {
			ok = true
			break
		}
	}
	if !ok {
		return c, "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	}
	if json.Unmarshal(pb, &c) != nil {
		return c, "Token claims are not valid JSON"
	}
	return c, ""
}

// parseClaims reads a JWT's claims without checking its signature.
func parseClaims(token string) (Claims, error) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}
