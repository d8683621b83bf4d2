package refusal

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
		want Kind
	}{
		{api("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."), ChainingLimit},
		{api("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), MaxSessionDuration},
		{api("SignatureDoesNotMatch", "Signature expired: 20261122T090000Z is now earlier than 20261122T094500Z"), ClockSkew},
		{api("InvalidClientTokenId", "Signature not yet current: 20261122T100000Z is still later than 20261122T094500Z"), ClockSkew},
		{api("InvalidClientTokenId", "The security token included in the request is invalid."), Other},
		{api("ValidationError", "1 validation error detected"), Other},
		{errors.New("MaxSessionDuration in a plain error"), Other},
		{nil, Other},
	}
	for _, tc := range tests {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
