package tempcreds

import (
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/tempcreds/tempcreds/internal/redact"
)

// Redaction is a property of this package's error types, not of call
// sites: every STS failure is built by newError, which replaces the cause
// with a copy whose text has every secret the call used (web identity token,
// MFA code, the signing secret key and session token) removed, and every
// Error() also scrubs anything shaped like a secret (a JWT, a secret access
// key, a session token) that came from elsewhere. The original cause, which
// may echo a secret back (a proxy, an emulator, a credential_process), is
// never kept where Error(), %v or %+v can print it.

// APIError is an STS error answer with its message redacted: it replaces
// the SDK's error in every *Error, so the raw message (which a server may
// have filled with the request's secrets) is never kept. It implements
// smithy.APIError, so errors.As(err, &apiErr) and Code() work as before.
type APIError struct {
	Code       string
	Message    string // redacted and bounded
	Fault      smithy.ErrorFault
	StatusCode int    // HTTP status, 0 if unknown
	RequestID  string // AWS's request ID, if any
}

// Error prints "Code: Message".
func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// ErrorCode returns AWS's error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the redacted message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault tells whether the client or the server is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault { return e.Fault }

// maxErrorMessage bounds a message taken from outside (an STS or endpoint
// answer): a server can send megabytes.
const maxErrorMessage = redact.MaxMessage

// redactedError keeps a cause that is not an API error (network, context,
// another provider's failure) for errors.Is and errors.As, with its text
// redacted once, when it is wrapped.
type redactedError struct {
	msg string
	err error
}

// Error is the cause's message, redacted.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the cause (for errors.Is(err, context.DeadlineExceeded)).
func (e *redactedError) Unwrap() error { return e.err }

// GoString keeps %#v to the redacted text (the cause may hold secrets).
func (e *redactedError) GoString() string { return fmt.Sprintf("tempcreds.redactedError{%q}", e.msg) }

// sanitize returns err with every secret removed from what it prints. An
// error whose methods panic (a typed nil pointer) becomes a description of
// its type: it never crashes the caller.
func sanitize(err error, secrets ...string) (out error) {
	if err == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = &redactedError{msg: fmt.Sprintf("an error of type %T (its methods failed)", err)}
		}
	}()
	return sanitizeUnsafe(err, secrets...)
}

func sanitizeUnsafe(err error, secrets ...string) error {
	switch err.(type) {
	case *Error, *ProviderPanicError, *LoadTimeoutError, *ExpiredCredentialsError, *APIError, *redactedError, redact.SecretFree:
		return err // safe by construction
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		out := &APIError{Code: redact.Truncate(redact.ScrubKnown(ae.ErrorCode(), secrets...), 100),
			Message: redact.Truncate(redact.ScrubKnown(ae.ErrorMessage(), secrets...), maxErrorMessage), Fault: ae.ErrorFault()}
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			out.StatusCode, out.RequestID = re.HTTPStatusCode(), re.ServiceRequestID()
		}
		if out.Code == "UnknownError" || out.Code == "" {
			// Not an AWS error document: say what came back instead of
			// "UnknownError: UnknownError".
			out.Code = "UnknownError"
			switch st := out.StatusCode; {
			case st >= 300 && st < 400:
				out.Message = fmt.Sprintf("STS answered HTTP %d, a redirect: STS never redirects, so the endpoint URL is wrong", st)
			case st != 0:
				out.Message = fmt.Sprintf("STS answered HTTP %d with a body that is not an AWS error (an HTML page from a proxy, or not an STS endpoint?)", st)
			}
		}
		return out
	}
	msg := redact.Truncate(redact.ScrubKnown(redact.Text(err), secrets...), maxErrorMessage)
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 300 {
		// An error status without an AWS error document (an API error was
		// looked for first): not even XML, such as a proxy's HTML page.
		msg = fmt.Sprintf("STS answered HTTP %d with a body that is not an AWS error (an HTML page from a proxy, or not an STS endpoint?)", re.HTTPStatusCode())
	}
	return &redactedError{msg: msg, err: err}
}

// newError builds an STS failure whose cause is sanitized of secrets.
func newError(op, roleARN, stage string, err error, secrets ...string) *Error {
	return &Error{Op: op, RoleARN: roleARN, Stage: stage, Err: sanitize(err, secrets...)}
}
