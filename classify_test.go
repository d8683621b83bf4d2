package tempcreds

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestClassifyIsTheOneReaderOfSTSMessageText(t *testing.T) {
	api := func(code, msg string) error {
		return fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: code, Message: msg})
	}
	tests := []struct {
		err  error
		want Refusal
	}{
		{api("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."), RefusalChainingLimit},
		{api("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), RefusalMaxSessionDuration},
		{api("SignatureDoesNotMatch", "Signature expired: 20261122T090000Z is now earlier than 20261122T094500Z"), RefusalClockSkew},
		{api("InvalidClientTokenId", "Signature not yet current: 20261122T100000Z is still later than 20261122T094500Z"), RefusalClockSkew},
		{api("InvalidClientTokenId", "The security token included in the request is invalid."), RefusalOther},
		{api("ValidationError", "1 validation error detected"), RefusalOther},
		{errors.New("MaxSessionDuration in a plain error"), RefusalOther},
		{nil, RefusalOther},
	}
	for _, tc := range tests {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	// It reads through our own redacted APIError too.
	if got := Classify(newError("AssumeRole", "arn:aws:iam::123456789012:role/A", "", api("ValidationError", "exceeds the MaxSessionDuration set"))); got != RefusalMaxSessionDuration {
		t.Errorf("through *Error: %d", got)
	}
}
