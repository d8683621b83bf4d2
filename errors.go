package tempcreds

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	"github.com/tempcreds/tempcreds/internal/netfail"
	"github.com/tempcreds/tempcreds/internal/redact"
	"github.com/tempcreds/tempcreds/internal/refusal"
)

// ErrInvalidConfig is wrapped by every construction error (a serial number
// without a token-code callback, an empty role ARN, ...).
var ErrInvalidConfig = errors.New("invalid configuration")

// ConfigError is a setting that cannot work: the library's one type for
// bad configuration, from a provider's options or from a chain's request
// and environment (package chain). It carries the setting, where its value
// came from and the limit it broke, so a caller (the command line) can name
// the setting in its own words: a flag instead of a field. It matches
// ErrInvalidConfig with errors.Is.
type ConfigError struct {
	// Field is the setting at fault: an options field ("RoleSessionName",
	// "Duration") or a chain.Request field.
	Field string
	// Origin, when set, is where the value came from instead of the
	// options: an environment variable ("AWS_ROLE_ARN") or a profile key
	// (`duration_seconds of profile "dev"`).
	Origin string
	// Value is the value as given ("" when none; never a secret).
	Value string
	// Limit is the bound that was broken, when one was ("15m0s to 12h0m0s",
	// "2048 characters").
	Limit string
	// Problem says what is wrong. It names settings as {{Field}} and the
	// value as {{value}}; Message fills them in.
	Problem string
	// Err is the cause, if any (printed after the problem).
	Err error
}

// Error is the message with the library's names for the settings.
func (e *ConfigError) Error() string { return "tempcreds: " + e.Message(nil) }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Message is the problem with the settings named by name (nil: the field
// names themselves); the Field is named by its Origin when it has one.
func (e *ConfigError) Message(name func(field string) string) string {
	var b strings.Builder
	rest := e.Problem
	for {
		i := strings.Index(rest, "{{")
		j := strings.Index(rest[max(i, 0):], "}}")
		if i < 0 || j < 0 {
			b.WriteString(rest)
			if e.Err != nil {
				b.WriteString(": ")
				b.WriteString(e.Err.Error())
			}
			return b.String()
		}
		b.WriteString(rest[:i])
		field := rest[i+2 : i+j]
		switch {
		case field == "value":
			fmt.Fprintf(&b, "%q", e.Value)
		case field == e.Field && e.Origin != "":
			b.WriteString(e.Origin)
		case name != nil:
			b.WriteString(name(field))
		default:
			b.WriteString(field)
		}
		rest = rest[i+j+2:]
	}
}

// configError returns a *ConfigError about field (its problem in words).
func configError(field, format string, args ...any) error {
	return &ConfigError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Error is returned when an STS call (or getting what it needs: source
// credentials, an MFA code, a web identity token) fails. It names the
// operation and the role, wraps the cause, and never holds a secret: the
// cause of an STS failure is an *APIError (or a wrapper) whose text has been
// redacted, and Error() scrubs anything secret-shaped.
type Error struct {
	// Op is the STS operation: "GetSessionToken", "AssumeRole" or
	// "AssumeRoleWithWebIdentity".
	Op string
	// RoleARN is the role asked for, if any.
	RoleARN string
	// Stage says what failed: "source credentials", "MFA token code",
	// "web identity token" or "" for the STS call itself.
	Stage string
	// Err is the cause: for STS errors an *APIError (a smithy.APIError)
	// whose ErrorCode is AWS's code (ExpiredToken, AccessDenied,
	// ValidationError, ...) and whose message is redacted.
	Err error
}

// Error prints the operation, the role, the stage, AWS's code and message, and
// a hint, with anything secret-shaped redacted.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tempcreds: ")
	b.WriteString(e.Op)
	if e.RoleARN != "" {
		b.WriteString(" ")
		b.WriteString(e.RoleARN)
	}
	if e.Stage != "" {
		b.WriteString(": getting the ")
		b.WriteString(e.Stage)
	}
	b.WriteString(": ")
	b.WriteString(redact.Scrub(describeCause(e.Err)))
	var inner *Error
	if errors.As(e.Err, &inner) {
		return b.String() // the source's own error, hint included
	}
	if hint := hintFor(e.Err); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Code returns AWS's error code of the cause ("ExpiredToken", ...), or "".
func (e *Error) Code() string {
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// describeCause prints a source hop's failure as its own Error (naming its
// role), an STS API error as "Code: Message" and a failure to reach STS as
// the endpoint and why, without the SDK's operation-error wrapping noise,
// and anything else as it is.
func describeCause(err error) string {
	var inner *Error
	if errors.As(err, &inner) {
		return strings.TrimPrefix(inner.Error(), "tempcreds: ")
	}
	if msg, ok := netfail.Unreachable(err); ok {
		return msg
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return ae.ErrorCode() + ": " + msg
		}
		return ae.ErrorCode()
	}
	// A cause of ours already says "tempcreds:" once, in front.
	return strings.TrimPrefix(err.Error(), "tempcreds: ")
}

// hintFor adds what to do about the errors users meet most.
func hintFor(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ""
	}
	switch refusal.Classify(err) {
	case refusal.ClockSkew:
		return "this machine's clock is more than 15 minutes off: fix the time (NTP) and retry"
	case refusal.MaxSessionDuration:
		return "ask for a shorter session: at most the role's MaxSessionDuration, 1h unless the role's owner raised it"
	case refusal.ChainingLimit:
		return "roles assumed with temporary credentials are limited to 1h: ask for 1h or less"
	}
	switch ae.ErrorCode() {
	case "ExpiredToken":
		return "the source credentials have expired: refresh them and retry"
	case "InvalidClientTokenId", "SignatureDoesNotMatch":
		return "the source credentials are not valid keys"
	case "InvalidIdentityToken", "ExpiredTokenException":
		return "the web identity token was refused: check its issuer, audience and expiry"
	case "RegionDisabledException":
		return "STS is not activated in this region: use another region or activate it"
	}
	return ""
}

// ExpiredCredentialsError is returned when a provider hands out credentials
// that are already inside the expiry window: a skewed clock, or a source
// that serves nearly expired credentials. They are never passed on.
type ExpiredCredentialsError struct {
	Expires time.Time     // the expiry the provider gave
	Now     time.Time     // our wall clock when they arrived
	Window  time.Duration // the expiry window
}

// Error explains how much life the credentials had and suggests a clock problem.
func (e *ExpiredCredentialsError) Error() string {
	left := e.Expires.Sub(e.Now).Round(time.Second)
	return fmt.Sprintf("tempcreds: the provider returned credentials expiring at %s, %s from now, inside the %s expiry window "+
		"(is this machine's clock wrong, or is the source serving nearly expired credentials?)",
		e.Expires.UTC().Format(time.RFC3339), left, e.Window)
}

// ProviderPanicError is returned to every waiter when the wrapped provider
// panics.
type ProviderPanicError struct {
	// Value describes the panic (only runtime errors are kept verbatim;
	// other values are reduced to their type, as they might hold secrets).
	Value string
}

// Error reports the panic without any value that could hold a secret.
func (e *ProviderPanicError) Error() string {
	return "tempcreds: the credentials provider panicked: " + e.Value
}

// LoadTimeoutError is returned to every waiter of a load whose provider did
// not return within CacheOptions.LoadTimeout. The provider is abandoned; the
// next Retrieve starts a new load.
type LoadTimeoutError struct {
	Timeout time.Duration
}

// Error names the timeout and what happens next.
func (e *LoadTimeoutError) Error() string {
	return fmt.Sprintf("tempcreds: the credentials provider did not return within %s (CacheOptions.LoadTimeout); the next call tries again", e.Timeout)
}
