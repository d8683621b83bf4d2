// Package containercreds is the container credentials protocol, both
// sides' common ground: the variables that point a client at an endpoint,
// the authorization token and where it comes from, and the JSON both sides
// speak. Its Provider is the client (ECS, EKS Pod Identity, or `tempcreds
// serve`); package server is the serving side and speaks the same types.
package containercreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tempcreds/tempcreds/internal/bounded"
)

// The variables every AWS SDK reads to find a container credentials endpoint.
const (
	EnvRelativeURI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" // a path on ECSHost; wins over EnvFullURI
	EnvFullURI     = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvToken       = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	EnvTokenFile   = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" // re-read on every request; wins over EnvToken
)

// ECSHost is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points.
const ECSHost = "http://169.254.170.2"

// Credentials is the endpoint's answer: what the server writes and the
// client reads.
type Credentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"` // RFC 3339
	AccountID       string `json:"AccountId,omitempty"`
}

// ErrorBody is the endpoint's error answer (any status but 200).
type ErrorBody struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// TokenSource gives the authorization token sent as the Authorization
// header's whole value. Token and TokenFile implement it.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Token is a fixed token (AWS_CONTAINER_AUTHORIZATION_TOKEN).
type Token string

// Token returns the token; one with a line break is refused (it would
// split the header).
func (t Token) Token(context.Context) (string, error) { return checkToken(string(t)) }

// TokenFile is a file holding the token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE),
// read on every call so a rotated token is picked up. A trailing line
// break is dropped, as every SDK's reader does; the file must be a regular
// file of at most 16 KiB.
type TokenFile string

// maxToken bounds a token file.
const maxToken = 16 << 10

// Token reads the file.
func (f TokenFile) Token(context.Context) (string, error) {
	b, err := bounded.ReadFile(string(f), maxToken)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named once, here
		}
		return "", fmt.Errorf("reading the authorization token file %s: %w", string(f), err)
	}
	return checkToken(strings.TrimRight(string(b), "\r\n \t"))
}

func checkToken(t string) (string, error) {
	if strings.ContainsAny(t, "\r\n") {
		return "", fmt.Errorf("the authorization token contains a line break")
	}
	if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return "", fmt.Errorf("the authorization token contains a control character: not a header value")
	}
	return t, nil
}
