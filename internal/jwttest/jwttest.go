// Package jwttest signs RS256 JSON Web Tokens for tests (the fake STS and the
// local OpenID Connect issuer MinIO trusts).
package jwttest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
)

// KeyID is the kid put in every token's header.
const KeyID = "tempcreds-test"

// Sign returns an RS256 JWT of claims (any JSON-marshalable value) signed
// with key.
func Sign(key *rsa.PrivateKey, claims any) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": KeyID})
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("jwttest: claims: " + err.Error())
	}
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("jwttest: sign: " + err.Error())
	}
	return signing + "." + enc.EncodeToString(sig)
}
