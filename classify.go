package tempcreds

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// Refusal is a kind of STS refusal that AWS signals only in its message
// text. Classify is the one place that reads that text.
type Refusal int

// The refusals Classify recognises.
const (
	// RefusalOther is any other error (or none).
	RefusalOther Refusal = iota
	// RefusalChainingLimit: a session longer than 1 hour asked with
	// temporary credentials (role chaining).
	RefusalChainingLimit
	// RefusalMaxSessionDuration: more than the role's MaxSessionDuration.
	RefusalMaxSessionDuration
	// RefusalClockSkew: the request's signature time is more than 15
	// minutes off STS's clock.
	RefusalClockSkew
)

// Classify tells which of the text-only refusals err is.
func Classify(err error) Refusal {
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) {
		return RefusalOther
	}
	msg := ae.ErrorMessage()
	switch ae.ErrorCode() {
	case "ValidationError":
		switch {
		case strings.Contains(msg, "1 hour session limit") || strings.Contains(msg, "role chaining"):
			return RefusalChainingLimit
		case strings.Contains(msg, "MaxSessionDuration"):
			return RefusalMaxSessionDuration
		}
	case "InvalidClientTokenId", "SignatureDoesNotMatch":
		if strings.Contains(msg, "Signature expired") || strings.Contains(msg, "Signature not yet current") {
			return RefusalClockSkew
		}
	}
	return RefusalOther
}
