package cli

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/credcheck"
)

// The one output validator is internal/credcheck: every credential value
// is checked there before any format prints it, and before a source
// process's output is cached.

// CredentialValueError is returned for credentials that cannot be printed
// safely: exit 1 (the source or STS sent them).
type CredentialValueError = credcheck.Error

// checkCredentialValues refuses credentials no AWS-compatible service returns.
func checkCredentialValues(c aws.Credentials) error { return credcheck.Check(c) }

// checkChars refuses a value outside lo..hi characters or with a character
// not in letters, digits and extra.
func checkChars(name, v, extra string, lo, hi int) error {
	return credcheck.Chars(name, v, extra, lo, hi)
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
