package tempcreds

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Redaction is a property of this package's error types, not of call
// sites: every STS failure is built by newError, which replaces the cause
// with a copy whose text has every secret the call used (web identity token,
// MFA code, the signing secret key and session token) removed, and every
// Error() also scrubs anything shaped like a secret (a JWT, a secret access
// key, a session token) that came from elsewhere. The original cause, which
// may echo a secret back (a proxy, an emulator, a credential_process), is
// never kept where Error(), %v or %+v can print it.

// Redacted replaces a secret in error messages.
const Redacted = "[REDACTED]"

// secretShapes matches what must never be printed even when we did not know
// it was a secret: a JWT (a web identity token), a run of 100 or more base64
// characters (a session token), and the value after a secret's name
// (SecretAccessKey, SessionToken, Token, password, Authorization…, with
// ":" or "="), as in a credential_process's JSON or an echoed form, and the
// password of a URL (https://user:password@host). Compiled
// on first use: only failures pay for it, never a cache hit's start-up.
var secretShapes = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`://[^/\s:@]*:[^/\s@]+@` +
		`|eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.?[A-Za-z0-9_-]*` +
		`|[A-Za-z0-9+/]{100,}={0,2}` +
		`|(?i)(?:\b(?:aws_)?(?:secret_?access_?key|session_?token|security[_-]?token|web_?identity_?token|token_?code|password|authorization)"?\s*[:=]|"token"\s*:|\btoken=)\s*"?[^"\s,&;}]{4,}`)
})

// scrub removes each known secret from s, then anything secret-shaped.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return secretShapes().ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "://") { // a URL's user:password@
			return m[:strings.IndexByte(m[3:], ':')+4] + Redacted + "@"
		}
		if strings.HasPrefix(m, "eyJ") || len(m) >= 100 && !strings.ContainsAny(strings.TrimRight(m, "="), ":=") {
			return Redacted
		}
		// name, separator, value: keep the name, drop the value.
		i := strings.IndexAny(m, ":=")
		j := i + 1
		for j < len(m) && (m[j] == ' ' || m[j] == '"' || m[j] == '\t') {
			j++
		}
		return m[:j] + Redacted
	})
}

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
const maxErrorMessage = 1024

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

// sanitize returns err with every secret removed from what it prints.
func sanitize(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *Error, *RemoteError, *ProviderPanicError, *LoadTimeoutError, *ExpiredCredentialsError, *APIError, *redactedError:
		return err // safe by construction
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		out := &APIError{Code: truncate(scrub(ae.ErrorCode(), secrets...), 100),
			Message: truncate(scrub(ae.ErrorMessage(), secrets...), maxErrorMessage), Fault: ae.ErrorFault()}
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
	return &redactedError{msg: truncate(scrub(err.Error(), secrets...), maxErrorMessage), err: err}
}

// newError builds an STS failure whose cause is sanitized of secrets.
func newError(op, roleARN, stage string, err error, secrets ...string) *Error {
	return &Error{Op: op, RoleARN: roleARN, Stage: stage, Err: sanitize(err, secrets...)}
}

// Scrub returns s with anything secret-shaped removed (JWTs, session
// tokens, values named as secrets, URL passwords): what every message this
// module prints from outside input goes through.
func Scrub(s string) string { return scrub(s) }

// SafeMessage returns err's message with anything secret-shaped removed:
// for printing errors that did not come from this package's types (any
// aws.CredentialsProvider's, the SDK's), as the server's log and answers and
// the CLI's messages do. Errors of this package are already safe.
func SafeMessage(err error) string {
	if err == nil {
		return ""
	}
	return truncate(scrub(err.Error()), 4*maxErrorMessage)
}
