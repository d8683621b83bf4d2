// Package redact is the one scrubber: every message tempcreds prints from
// outside input, and every error it builds from a server's answer, goes
// through it, so no secret reaches a log, an error or a terminal.
package redact

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Redacted replaces a secret in error messages.
const Redacted = "[REDACTED]"

// secretShapes matches what must never be printed even when we did not know
// it was a secret: the user information of a URL (https://user:password@host,
// https://token@host), a
// JWT (a web identity token), a run of 100 or more base64 characters (a
// session token), and the value after a secret's name (SecretAccessKey,
// SessionToken, Token, password, Authorization…) in any of the forms a
// server or a tool echoes it: "k": "v", k=v, k: v, <k>v</k>, 'k': 'v',
// \"k\":\"v\", Authorization: Bearer v. Compiled on first use: only
// failures pay for it, never a cache hit's start-up.
var secretShapes = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(://)[^/\s]*@` +
		`|(eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.?[A-Za-z0-9_-]*)` +
		`|([A-Za-z0-9+/]{100,}={0,2})` +
		`|(?i)(\b(?:aws_)?(?:secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token|web[_-]?identity[_-]?token|token[_-]?code|password|passwd|authorization|signature|token)` +
		`[\\"']*\s*(?:[:=]|>)\s*[\\"']*(?:(?:bearer|basic)\s+)?)[^\s"'<&\\]{4,}`)
})

// maxScrubbed bounds what Scrub returns: a message, not a document.
const maxScrubbed = 16 << 10

// fragment is the length of a piece of a known secret that is redacted
// wherever it appears (a server may wrap or cut what it echoes).
const fragment = 16

// scrub removes each known secret (as given, URL-encoded, JSON-escaped,
// and any fragment of 16 characters of a long one), then anything
// secret-shaped.
func scrubAll(s string, secrets ...string) string {
	s = redactKnown(s, secrets)
	re := secretShapes()
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		switch {
		case m[2] >= 0: // URL: its user information (user, password, token) goes
			b.WriteString(s[m[2]:m[3]] + Redacted + "@")
		case m[4] >= 0, m[6] >= 0: // JWT, long base64
			b.WriteString(Redacted)
		case proseAfterToken(s[m[8]:m[9]], s[m[9]:m[1]]):
			b.WriteString(s[m[0]:m[1]]) // our own words ("token: web identity token file"), kept
		default: // name and separator kept, value dropped
			b.WriteString(s[m[8]:m[9]] + Redacted)
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// proseAfterToken reports a "token: word" that is our own text, not a
// value: after a name of the token family and a colon and a space, a short
// word of lower-case letters ("getting the web identity token: web identity
// token file ...", "load login token: cached file not found"). No token
// AWS, an OIDC provider or MinIO issues is a short lower-case word; a
// password may be, so the exception is for tokens only.
func proseAfterToken(name, value string) bool {
	n := strings.ToLower(strings.TrimRight(name, " \t"))
	if !strings.HasSuffix(name, " ") || !strings.HasSuffix(n, ":") || !strings.HasSuffix(strings.TrimRight(strings.TrimSuffix(n, ":"), `\"'`), "token") || len(value) >= fragment {
		return false
	}
	return strings.Trim(strings.TrimRight(value, ",.;:)"), "abcdefghijklmnopqrstuvwxyz") == ""
}

// replaceWord replaces sec in s where no letter or digit touches it.
func replaceWord(s, sec string) string {
	alnum := func(b byte) bool { return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }
	var b strings.Builder
	for {
		i := strings.Index(s, sec)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(sec)
		if (i > 0 && alnum(s[i-1])) || (end < len(s) && alnum(s[end])) {
			b.WriteString(s[:end])
		} else {
			b.WriteString(s[:i] + Redacted)
		}
		s = s[end:]
	}
}

// redactKnown replaces every form of each known secret in s: as given,
// escaped or encoded (secretForms), in any letter case, split by spaces,
// dashes or zero-width characters, and any 16-character fragment of a long
// form.
func redactKnown(s string, secrets []string) string {
	var forms []string
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		if len(sec) < 8 {
			// A short code (MFA): only as a whole word, so an account ID
			// that happens to contain it stays readable.
			s = replaceWord(s, sec)
			continue
		}
		forms = append(forms, secretForms(sec)...)
	}
	if len(forms) == 0 {
		return s
	}
	covered := make([]bool, len(s))
	any := coverForms(asciiLower(s), forms, covered, func(i int) int { return i })
	if packed, at := pack(s); len(packed) < len(s) {
		any = coverForms(asciiLower(packed), forms, covered, func(i int) int { return at[i] }) || any
	}
	if !any {
		return s
	}
	var b strings.Builder
	for x := 0; x < len(s); {
		if !covered[x] {
			b.WriteByte(s[x])
			x++
			continue
		}
		b.WriteString(Redacted)
		for x < len(s) && covered[x] {
			x++
		}
	}
	return b.String()
}

// secretForms are the ways a server or a proxy may echo a secret: as it
// is, URL-, JSON- or slash-escaped, percent-encoding every byte, hex,
// base32, rot13, and base64 (standard and URL alphabets) at each of the
// three alignments it can have inside a longer encoded text (the part of
// the encoding that depends on the secret alone). Matched case-blind.
func secretForms(sec string) []string {
	forms := []string{sec, url.QueryEscape(sec), url.PathEscape(sec), strings.ReplaceAll(sec, "/", `\/`),
		hex.EncodeToString([]byte(sec)), base32.StdEncoding.EncodeToString([]byte(sec)), rot13(sec)}
	if j, err := json.Marshal(sec); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	var pct strings.Builder
	for i := 0; i < len(sec); i++ {
		fmt.Fprintf(&pct, "%%%02X", sec[i])
	}
	forms = append(forms, pct.String())
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for offset := 0; offset < 3; offset++ {
			full := strings.TrimRight(enc.EncodeToString(append(make([]byte, offset), sec...)), "=")
			start := 0
			if offset > 0 {
				start = 4 // the first quartet mixes in what came before
			}
			if end := len(full) - 4; end-start >= fragment { // the last may mix in what follows
				forms = append(forms, full[start:end])
			}
		}
	}
	return forms
}

// coverForms marks in covered (through at, from positions of s to those of
// the original text) every occurrence of each form, and of every
// 16-character fragment of a long one, in s (lower-cased).
func coverForms(s string, forms []string, covered []bool, at func(int) int) bool {
	any := false
	mark := func(i, n int) {
		for x := at(i); x <= at(i+n-1); x++ {
			covered[x] = true
		}
		any = true
	}
	for _, form := range forms {
		f, _ := pack(asciiLower(form))
		if f == "" {
			continue
		}
		for i := 0; ; {
			k := strings.Index(s[i:], f)
			if k < 0 {
				break
			}
			mark(i+k, len(f))
			i += k + 1
		}
		if len(f) < 2*fragment {
			continue
		}
		pieces := make(map[string]bool, len(f))
		for x := 0; x+fragment <= len(f); x++ {
			pieces[f[x:x+fragment]] = true
		}
		for x := 0; x+fragment <= len(s); x++ {
			if pieces[s[x:x+fragment]] {
				mark(x, fragment)
			}
		}
	}
	return any
}

// pack removes what a server may put inside a secret to split it
// (spaces, tabs, line breaks, dashes, zero-width characters) and returns,
// for each byte left, its position in s.
func pack(s string) (string, []int) {
	var b strings.Builder
	at := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-':
			continue
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] >= 0x8b && s[i+2] <= 0x8d: // U+200B to U+200D
			i += 2
			continue
		case c == 0xef && i+2 < len(s) && s[i+1] == 0xbb && s[i+2] == 0xbf: // U+FEFF
			i += 2
			continue
		}
		b.WriteByte(s[i])
		at = append(at, i)
	}
	return b.String(), at
}

// asciiLower lower-cases ASCII letters only: every byte keeps its place.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// rot13 is the letter rotation a careless tool may "obscure" a value with.
func rot13(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		}
		return r
	}, s)
}

// Scrub returns s with anything secret-shaped removed (JWTs, session
// tokens, values named as secrets, URL passwords): what every message this
// module prints from outside input goes through.
func Scrub(s string) string { return Truncate(scrubAll(Truncate(s, 4*maxScrubbed)), maxScrubbed) }

// URL hides the user information of a URL (a password, or a token in
// the user part), even when the URL does not parse: everything before the
// last @ after the last / that precedes it.
func URL(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := strings.LastIndex(s[:at], "/") + 1
	return s[:start] + "[REDACTED]" + s[at:]
}

// ScrubKnown is Scrub that also removes each of the known secrets, however
// it appears (as given, URL-encoded, JSON-escaped, or any 16-character
// fragment of a long one): for text from a server that may echo what it
// was sent.
func ScrubKnown(s string, secrets ...string) string {
	return Truncate(scrubAll(Truncate(s, 4*maxScrubbed), secrets...), maxScrubbed)
}

// SafeMessage returns err's message with anything secret-shaped removed:
// for printing errors that did not come from this package's types (any
// aws.CredentialsProvider's, the SDK's), as the server's log and answers and
// the CLI's messages do. Errors of this package are already safe.
func SafeMessage(err error) string {
	if err == nil {
		return ""
	}
	return Truncate(scrubAll(Text(err)), 4*MaxMessage)
}

// Text is err.Error(), or a description of err when its Error method
// panics (a typed nil pointer): a provider's broken error never crashes us.
func Text(err error) (text string) {
	defer func() {
		if recover() != nil {
			text = fmt.Sprintf("an error of type %T (its Error method failed)", err)
		}
	}()
	return err.Error()
}

func Truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// MaxMessage bounds a message taken from outside (an STS or endpoint
// answer): a server can send megabytes.
const MaxMessage = 1024

// SecretFree is implemented by error types whose text never holds a
// secret, by construction: a Cache passes them on as they are (with their
// type), where any other error is redacted.
type SecretFree interface {
	error
	SecretFree()
}

// KeyID shows an access key ID as ASIA…ABCD: enough to tell keys apart in
// debug lines, never the whole ID.
func KeyID(s string) string {
	if len(s) <= 8 {
		return "…"
	}
	return s[:4] + "…" + s[len(s)-4:]
}
