// Package credcheck is the one output validator: every credential value is
// checked against what AWS (and MinIO, and the container endpoint) can
// return before any format prints it or a cache keeps it, so a hostile or
// broken value never becomes shell code, an ini section, a terminal escape
// or a cache entry. Anything else is refused with a clear error.
package credcheck

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// maxTokenLen bounds a session token (AWS's are a few KiB; MinIO's JWTs less).
const maxTokenLen = 16 << 10

// latestExpiry is the last time every layer can represent (Unix ns overflow
// in 2262): an Expiration beyond it is refused instead of poisoning a cache.
var latestExpiry = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)

func credentialChars(r rune, extra string) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)
}

// Chars refuses a value outside lo..hi characters or with a character not
// in letters, digits and extra.
func Chars(name, v, extra string, lo, hi int) error {
	if len(v) < lo || len(v) > hi {
		return fmt.Errorf("%s is %d characters, outside %d to %d", name, len(v), lo, hi)
	}
	for i, r := range v {
		if !credentialChars(r, extra) {
			if name == "SecretAccessKey" || name == "SessionToken" {
				return fmt.Errorf("%s holds a character AWS never returns", name) // not which: it is a secret's
			}
			return fmt.Errorf("%s holds a character AWS never returns (%q at byte %d)", name, r, i)
		}
	}
	return nil
}

// Check refuses credentials no AWS-compatible service returns.
func Check(c aws.Credentials) error {
	err := Chars("AccessKeyId", c.AccessKeyID, "_", 3, 128)
	if err == nil {
		err = Chars("SecretAccessKey", c.SecretAccessKey, "+/=_-.", 1, 256)
	}
	if err == nil && c.SessionToken != "" {
		err = Chars("SessionToken", c.SessionToken, "+/=_-.", 1, maxTokenLen)
	}
	if err == nil && c.AccountID != "" {
		err = Chars("AccountId", c.AccountID, "", 12, 12)
		if err == nil && strings.Trim(c.AccountID, "0123456789") != "" {
			err = fmt.Errorf("AccountId %q is not 12 digits", c.AccountID)
		}
	}
	if err == nil && c.CanExpire && (c.Expires.Before(time.Unix(0, 0)) || !c.Expires.Before(latestExpiry)) {
		err = fmt.Errorf("the Expiration %s is outside 1970 to 2261", c.Expires.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return &Error{Reason: err.Error()}
	}
	return nil
}

// Error is returned for credentials that cannot be printed or cached
// safely (the source or STS sent them).
type Error struct{ Reason string }

// Error says what was refused and why it matters.
func (e *Error) Error() string {
	return "tempcreds: refusing the credentials the source returned: " + e.Reason + " (printing them could run code in a shell or corrupt a file)"
}
