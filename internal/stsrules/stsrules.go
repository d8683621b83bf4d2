// Package stsrules is the one table of what STS accepts: durations per
// operation, role ARNs, session names and source identities, session tags,
// session policies, external IDs, MFA serials and token codes, and
// MinimumSessionTokenSize. The root providers, chain and the command line
// all check their inputs here, so a value is refused the same way whichever
// door it came in by, before any STS call.
//
// Each check returns nil or a *Violation naming the caller's field: the
// root package turns it into a *tempcreds.ConfigError, chain into one with
// the Origin (environment variable, profile key) it recorded. This package
// imports nothing of tempcreds (the root imports it).
package stsrules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Op is an STS operation, named as a chain's hops are.
type Op string

// The operations.
const (
	AssumeRole         Op = "assume-role"      // AssumeRole
	GetSessionToken    Op = "session-token"    // GetSessionToken
	WebIdentity        Op = "web-identity"     // AssumeRoleWithWebIdentity
	GetFederationToken Op = "federation-token" // GetFederationToken
)

// Limits of STS.
const (
	// MinDuration is the shortest session of every operation.
	MinDuration = 15 * time.Minute
	// RoleChainingLimit is AWS's cap on sessions assumed with temporary
	// (role or session-token) credentials.
	RoleChainingLimit = time.Hour
	// MaxTokenSize is the largest MinimumSessionTokenSize STS accepts:
	// since 2026-09 STS issues session tokens up to 4,096 bytes.
	MaxTokenSize = 4096
	// MaxPolicy is the longest inline session policy, in characters.
	MaxPolicy = 2048
	// MaxPolicyARNs is the most managed session policies.
	MaxPolicyARNs = 10
	// MaxTags is the most session tags.
	MaxTags = 50
	// MaxRoleARN is the longest role ARN.
	MaxRoleARN = 2048
)

// Default session names: the published helper's (aws-sts-helper) for a
// role, and the SDKs' for web identity. A command-line or profile role
// without one is named after the person instead (PersonalSessionName).
const (
	DefaultRoleSessionName        = "temporary"
	DefaultWebIdentitySessionName = "web-identity"
)

// maxDuration is each operation's longest session.
var maxDuration = map[Op]time.Duration{
	AssumeRole:         12 * time.Hour,
	WebIdentity:        12 * time.Hour,
	GetSessionToken:    36 * time.Hour,
	GetFederationToken: 36 * time.Hour,
}

// MaxDuration is op's longest session.
func MaxDuration(op Op) time.Duration { return maxDuration[op] }

// Violation is a value STS would refuse.
type Violation struct {
	// Field is the caller's name for the setting.
	Field string
	// Value is the value as given ("" when it is not shown).
	Value string
	// Limit is the bound that was broken, when one was.
	Limit string
	// Problem says what is wrong; it names settings as {{Field}} and the
	// value as {{value}}, as tempcreds.ConfigError's Problem does.
	Problem string
}

// Error is the problem with the placeholders filled in.
func (v *Violation) Error() string {
	s := strings.ReplaceAll(v.Problem, "{{value}}", fmt.Sprintf("%q", v.Value))
	return strings.NewReplacer("{{", "", "}}", "").Replace(s)
}

func violation(field, value, limit, problem string, args ...any) *Violation {
	return &Violation{Field: field, Value: value, Limit: limit, Problem: fmt.Sprintf(problem, args...)}
}

// First returns the first violation that is not nil.
func First(vs ...*Violation) *Violation {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// Duration checks a session duration for op; 0 (STS's default) passes.
func Duration(field string, op Op, d time.Duration) *Violation {
	if d == 0 {
		return nil
	}
	if d < 0 || d%time.Second != 0 {
		return violation(field, "", "", "{{%s}} %s is not a whole, positive number of seconds", field, d)
	}
	lo, hi := MinDuration, MaxDuration(op)
	if d < lo || d > hi {
		return violation(field, "", lo.String()+" to "+hi.String(), "{{%s}} %s is outside what STS allows for %s (%s to %s)", field, d, op, lo, hi)
	}
	return nil
}

// ValidSessionName reports whether s is a valid role session name or
// source identity: STS's [\w+=,.@-]{2,64} (checked by hand: a
// package-level regexp costs start-up time on every CLI run).
func ValidSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !sessionNameRune(r) {
			return false
		}
	}
	return true
}

// sessionNameRune reports whether r may be in a session name.
func sessionNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

// SessionName checks a role session name or a source identity; "" passes
// (the default applies).
func SessionName(field, v string) *Violation {
	if v == "" || ValidSessionName(v) {
		return nil
	}
	return violation(field, v, "", "{{%s}} {{value}} must be 2 to 64 characters of letters, digits and +=,.@_-", field)
}

// PersonalSessionName is the command line's default session name of a
// role: tempcreds-USER, to which the caller appends -UNIXTIME (a cache key
// holds no time). The user part keeps STS's characters, others become "-",
// and is cut so the name with its time fits STS's 64.
func PersonalSessionName(user string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x80 && sessionNameRune(r) {
			return r
		}
		return '-'
	}, user)
	const room = 64 - len("tempcreds--") - 11 // 11: a Unix time in seconds has 10 digits until 2286, one spare
	if len(clean) > room {
		clean = clean[:room]
	}
	if clean == "" {
		return "tempcreds"
	}
	return "tempcreds-" + clean
}

// RoleARN checks an IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/NAME,
// a 12-digit account, no space or control character, 2048 at most.
func RoleARN(field, v string) *Violation {
	if v == "" {
		return violation(field, "", "", "a role ARN is required")
	}
	if len(v) > MaxRoleARN {
		return violation(field, "", "2048 characters", "{{%s}} is %d characters, longer than a role ARN may be (2048)", field, len(v))
	}
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || len(a.AccountID) != 12 ||
		strings.ContainsFunc(a.Resource, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return violation(field, v, "", "{{%s}} {{value}} is not a role ARN like arn:aws:iam::123456789012:role/NAME", field)
	}
	return nil
}

// PolicyJSON checks an inline session policy is JSON; "" passes.
func PolicyJSON(field, policy string) *Violation {
	if policy != "" && !json.Valid([]byte(policy)) {
		return violation(field, "", "", "{{%s}} is not valid JSON", field)
	}
	return nil
}

// Policy checks an inline session policy: valid JSON, 2048 characters at
// most; "" passes.
func Policy(field, policy string) *Violation {
	if len(policy) > MaxPolicy {
		return violation(field, "", "2048 characters", "{{%s}} is %d characters; STS allows 2048", field, len(policy))
	}
	return PolicyJSON(field, policy)
}

// PolicyARNs checks managed session policies: 10 at most, each an ARN.
func PolicyARNs(field string, arns []string) *Violation {
	if len(arns) > MaxPolicyARNs {
		return violation(field, "", "10 policy ARNs", "{{%s}}: %d policy ARNs given; STS allows 10", field, len(arns))
	}
	for _, a := range arns {
		if !strings.HasPrefix(a, "arn:") || len(a) < 20 {
			return violation(field, a, "", "{{%s}} {{value}} is not an ARN like arn:aws:iam::aws:policy/NAME", field)
		}
	}
	return nil
}

// Tags checks session tags: 50 at most, a key of 1 to 128 characters not
// starting with aws:, a value of 256 at most, no control character.
func Tags(field string, tags map[string]string) *Violation {
	if len(tags) > MaxTags {
		return violation(field, "", "50 tags", "{{%s}}: %d session tags, STS allows 50", field, len(tags))
	}
	for k, v := range tags {
		switch {
		case len(k) < 1 || len(k) > 128:
			return violation(field, k, "", "{{%s}}: the key {{value}} must be 1 to 128 characters", field)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return violation(field, k, "", "{{%s}}: the key {{value}} starts with aws:, which AWS reserves", field)
		case len(v) > 256:
			return violation(field, k, "", "{{%s}}: the value of {{value}} is longer than 256 characters", field)
		case strings.ContainsFunc(k+v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return violation(field, k, "", "{{%s}}: the tag {{value}} holds a control character", field)
		}
	}
	return nil
}

// TransitiveTags checks that every transitive key is one of the tags;
// among names the tags in the message ("session tags", "{{Tags}}").
func TransitiveTags(field, among string, keys []string, tags map[string]string) *Violation {
	for _, k := range keys {
		if _, ok := tags[k]; !ok {
			return violation(field, k, "", "{{%s}} {{value}} is not one of the %s", field, among)
		}
	}
	return nil
}

// ExternalID checks an external ID: 2 to 1224 characters; "" passes.
func ExternalID(field, v string) *Violation {
	if n := len(v); n > 0 && (n < 2 || n > 1224) {
		return violation(field, "", "2 to 1224 characters", "{{%s}} must be 2 to 1224 characters, got %d", field, n)
	}
	return nil
}

// MFASerial checks an MFA device's serial: 9 to 256 characters; "" passes.
func MFASerial(field, v string) *Violation {
	if v != "" && (len(v) < 9 || len(v) > 256) {
		return violation(field, v, "", "{{%s}} {{value}} must be 9 to 256 characters (an MFA device ARN or hardware serial)", field)
	}
	return nil
}

// TokenCode checks an MFA code: 6 digits.
func TokenCode(field, code string) *Violation {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return violation(field, "", "6 digits", "{{%s}} must be 6 digits, got %d characters", field, len(code))
	}
	return nil
}

// MinTokenSize checks MinimumSessionTokenSize: 0 to 4096 bytes.
func MinTokenSize(field string, n int) *Violation {
	if n < 0 || n > MaxTokenSize {
		return violation(field, "", "0 to 4096 bytes", "{{%s}} %d is outside what STS accepts (0 to %d bytes)", field, n, MaxTokenSize)
	}
	return nil
}

// Web identity tokens STS accepts: 4 to 20000 characters.
const (
	MinWebIdentityToken = 4
	MaxWebIdentityToken = 20000
)

// WebIdentityToken checks a web identity token's length; the token itself
// is never in the violation.
func WebIdentityToken(field, token string) *Violation {
	if n := len(token); n < MinWebIdentityToken || n > MaxWebIdentityToken {
		return violation(field, "", fmt.Sprintf("%d to %d characters", MinWebIdentityToken, MaxWebIdentityToken),
			"the token is %d characters; STS accepts %d to %d", n, MinWebIdentityToken, MaxWebIdentityToken)
	}
	return nil
}

// Role checks what every call that assumes a role shares (AssumeRole and
// AssumeRoleWithWebIdentity), under the root options' field names.
func Role(op Op, roleARN, sessionName string, d time.Duration, minTokenSize int, policy string, policyARNs []string) *Violation {
	return First(
		RoleARN("RoleARN", roleARN),
		SessionName("RoleSessionName", sessionName),
		MinTokenSize("MinTokenSize", minTokenSize),
		Duration("Duration", op, d),
		Policy("Policy", policy),
		PolicyARNs("PolicyARNs", policyARNs),
	)
}

// maxDurationSeconds bounds every duration (a year): far above any STS
// limit, far below an overflow.
const maxDurationSeconds = 366 * 24 * 3600

// ParseDuration reads seconds ("3600") or a Go duration ("1h", "90m"), as
// AWS_ROLE_DURATION_SECONDS and the command line's duration flags accept
// them. Its error says what is wrong without naming the setting ("must be
// positive"): the caller names it.
func ParseDuration(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("must be positive")
		}
		if n > maxDurationSeconds {
			return 0, fmt.Errorf("is more than a year")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("is not a duration: use seconds (3600) or a duration (1h, 90m)")
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	if d > maxDurationSeconds*time.Second {
		return 0, fmt.Errorf("is more than a year")
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("is not a whole number of seconds")
	}
	return d, nil
}

// Retry is how a refused AssumeRole may be asked again with less.
type Retry int

// The refusals that are asked again.
const (
	// ChainingCap: the source was temporary after all, and the duration
	// is over RoleChainingLimit.
	ChainingCap Retry = iota + 1
	// MaxSessionDuration: the role allows less than the default asked
	// for.
	MaxSessionDuration
)

// AskAgain says with which duration a refused AssumeRole is asked again,
// or false for not at all: the two "ask again with less" rules, side by
// side. A chaining-cap refusal of a duration over 1 hour without MFA (an
// MFA code works once) is asked again at 1 hour. A MaxSessionDuration
// refusal of a default duration is asked again with STS's default (0); an
// asked-for duration is never lowered silently.
func AskAgain(refused Retry, asked time.Duration, defaulted, mfa bool) (time.Duration, bool) {
	switch {
	case refused == ChainingCap && !mfa && asked > RoleChainingLimit:
		return RoleChainingLimit, true
	case refused == MaxSessionDuration && defaulted:
		return 0, true
	}
	return 0, false
}
