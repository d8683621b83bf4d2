// Package refusal tells the STS refusals AWS signals only in its message
// text (the role-chaining cap, MaxSessionDuration, clock skew): Classify is
// the one place that reads that text.
package refusal

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// Kind is a kind of STS refusal that AWS signals only in its message
// text. Classify is the one place that reads that text.
type Kind int

// The refusals Classify recognises.
const (
	// Other is any other error (or none).
	Other Kind = iota
	// ChainingLimit: a session longer than 1 hour asked with
	// temporary credentials (role chaining).
	ChainingLimit
	// MaxSessionDuration: more than the role's MaxSessionDuration.
	MaxSessionDuration
	// ClockSkew: the request's signature time is more than 15
	// minutes off STS's clock.
	ClockSkew
)

// Classify tells which of the text-only refusals err is.
func Classify(err error) Kind {
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) {
		return Other
	}
	msg := ae.ErrorMessage()
	switch ae.ErrorCode() {
	case "ValidationError":
		switch {
		case strings.Contains(msg, "1 hour session limit") || strings.Contains(msg, "role chaining"):
			return ChainingLimit
		case strings.Contains(msg, "MaxSessionDuration"):
			return MaxSessionDuration
		}
	case "InvalidClientTokenId", "SignatureDoesNotMatch":
		if strings.Contains(msg, "Signature expired") || strings.Contains(msg, "Signature not yet current") {
			return ClockSkew
		}
	}
	return Other
}
