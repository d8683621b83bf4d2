package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The one output validator: every credential value is checked against what
// AWS (and MinIO, and the container endpoint) can return before any format
// prints it, so a hostile or broken value never becomes shell code, an ini
// section or a terminal escape. Anything else is refused with a clear error.

// maxTokenLen bounds a session token (AWS's are a few KiB; MinIO's JWTs less).
const maxTokenLen = 16 << 10

// latestExpiry is the last time every layer can represent (Unix ns overflow
// in 2262): an Expiration beyond it is refused instead of poisoning a cache.
var latestExpiry = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)

func credentialChars(r rune, extra string) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)
}

func checkChars(name, v, extra string, lo, hi int) error {
	if len(v) < lo || len(v) > hi {
		return fmt.Errorf("%s is %d characters, outside %d to %d", name, len(v), lo, hi)
	}
	for i, r := range v {
		if !credentialChars(r, extra) {
			return fmt.Errorf("%s holds a character AWS never returns (%q at byte %d)", name, r, i)
		}
	}
	return nil
}

// checkCredentialValues refuses credentials no AWS-compatible service returns.
func checkCredentialValues(c aws.Credentials) error {
	err := checkChars("AccessKeyId", c.AccessKeyID, "_", 3, 128)
	if err == nil {
		err = checkChars("SecretAccessKey", c.SecretAccessKey, "+/=_-.", 1, 256)
	}
	if err == nil && c.SessionToken != "" {
		err = checkChars("SessionToken", c.SessionToken, "+/=_-.", 1, maxTokenLen)
	}
	if err == nil && c.AccountID != "" {
		err = checkChars("AccountId", c.AccountID, "", 12, 12)
		if err == nil && strings.Trim(c.AccountID, "0123456789") != "" {
			err = fmt.Errorf("AccountId %q is not 12 digits", c.AccountID)
		}
	}
	if err == nil && c.CanExpire && (c.Expires.Before(time.Unix(0, 0)) || !c.Expires.Before(latestExpiry)) {
		err = fmt.Errorf("the Expiration %s is outside 1970 to 2261", c.Expires.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return &CredentialValueError{Reason: err.Error()}
	}
	return nil
}

// CredentialValueError is returned for credentials that cannot be printed
// safely: exit 1 (the source or STS sent them).
type CredentialValueError struct{ Reason string }

// Error says what was refused and why it matters.
func (e *CredentialValueError) Error() string {
	return "tempcreds: refusing the credentials the source returned: " + e.Reason + " (printing them could run code in a shell or corrupt a file)"
}

// checkProfileName refuses an ini section name that could break the file.
func checkProfileName(p string) error {
	if err := checkChars("--ini-profile", p, "_-.@+", 1, 64); err != nil {
		return usagef("--ini-profile %q must be 1 to 64 letters, digits or _-.@+", p)
	}
	return nil
}

// safeText escapes what could forge or hide text on a terminal: control
// characters (C0 but tab, DEL, C1), line and paragraph separators, and the
// bidirectional overrides (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F).
// Newlines are kept (a message may have several lines of our own); values
// from outside go through oneLine.
func safeText(s string) string {
	return escapeRunes(s, func(r rune) bool { return unsafeRune(r) && r != '\n' })
}

// oneLine is safeText that also escapes newlines: for a value given by a
// user or a server inside one line of ours (a role ARN, an STS message).
func oneLine(s string) string { return escapeRunes(s, unsafeRune) }

func escapeRunes(s string, bad func(rune) bool) string {
	if !strings.ContainsFunc(s, bad) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if bad(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f
}
