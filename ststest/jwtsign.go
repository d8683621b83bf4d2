package ststest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
)

// JWTKeyID is the kid put in every token's header.
const JWTKeyID = "tempcreds-test"

// SignAnyJWT returns an RS256 JWT of claims (any JSON-marshalable value)
// signed with key: for the fake STS and the local OpenID issuer MinIO trusts.
func SignAnyJWT(key *rsa.PrivateKey, claims any) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": JWTKeyID})
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("ststest: claims: " + err.Error())
	}
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("ststest: sign: " + err.Error())
	}
	return signing + "." + enc.EncodeToString(sig)
}
