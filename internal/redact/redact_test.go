package redact

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestScrubHostileValues(t *testing.T) {
	tests := []struct {
		in, mustNotHave, mustKeep string
	}{
		{"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl rejected", "eyJhbGciOiJSUzI1NiJ9", "rejected"},
		{"SecretAccessKey=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY123 bad", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY123", "bad"},
		{"X-Amz-Security-Token: short-FAKE-token, next", "short-FAKE-token", "next"},
		{"password=hunter2-fake&user=x", "hunter2-fake", "user=x"},
		{"role arn:aws:iam::123456789012:role/Dev/Team1/ProjectsS3DevelopmentRoleForTeam1 denied", "", "role/Dev/Team1/ProjectsS3DevelopmentRoleForTeam1"},
		{"endpoint https://admin:fake-pass-123@sts.example.com/x", "fake-pass-123", "https://[REDACTED]@sts.example.com/x"},
		{"endpoint http://pa55wordFAKE@127.0.0.1:1", "pa55wordFAKE", "http://[REDACTED]@127.0.0.1:1"},
		{"tempcreds: GetSessionToken: operation error STS: GetSessionToken, AssumeRoleWithWebIdentity: x", "", "GetSessionToken: operation error STS"},
		{"export AWS_SESSION_TOKEN='FAKEsessiontoken'", "FAKEsessiontoken", "AWS_SESSION_TOKEN="},
		{"aws_secret_access_key = fakeSECRETfake", "fakeSECRETfake", "aws_secret_access_key"},
		{"web identity token file /tmp/token does not exist", "", "token file /tmp/token does not exist"},
		{`{"SecretAccessKey":"abcdEFGH1234abcdEFGH1234abcdEFGH1234abcd"}`, "abcdEFGH1234abcdEFGH1234abcdEFGH1234abcd", "SecretAccessKey"},
		{"session FQoGZXIvYXdzEJr//////////wEaD" + strings.Repeat("FAKE+fake0", 12) + "== end", "FQoGZXIvYXdzEJr", "end"},
		{"role arn:aws:iam::123456789012:role/averyveryverylonglowercaserolenamewithoutdigits", "", "averyveryverylonglowercaserolenamewithoutdigits"},
		{"account 123456789012 and id AROAFAKEFAKEFAKEFAKE", "", "123456789012"},
	}
	for _, tc := range tests {
		out := scrubAll(tc.in)
		if tc.mustNotHave != "" && strings.Contains(out, tc.mustNotHave) {
			t.Errorf("scrubAll(%q) = %q: the secret is still there", tc.in, out)
		}
		if !strings.Contains(out, tc.mustKeep) {
			t.Errorf("scrubAll(%q) = %q: lost %q", tc.in, out, tc.mustKeep)
		}
	}
	if out := scrubAll("code 482913 refused", "482913"); strings.Contains(out, "482913") {
		t.Errorf("a known MFA code was kept: %q", out)
	}
	if out := scrubAll("arn:aws:iam::123456789012:mfa/me code 123456", "123456"); out != "arn:aws:iam::123456789012:mfa/me code "+Redacted {
		t.Errorf("an MFA code is redacted as a word only, never inside an account ID: %q", out)
	}
	if out := Scrub("Authorization: AWS4-HMAC-SHA256 Credential=AKIAFAKE/20261122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ae1ed7FAKE0123456789abcdef"); strings.Contains(out, "ae1ed7FAKE") {
		t.Errorf("a request signature (replayable for 15 minutes) was kept: %q", out)
	}
}

// TestScrubEveryEchoForm: the forms an outside tester found a secret could
// take in an echo, each with the secret known (as the providers know it)
// and, where it has a name, unknown.
func TestScrubEveryEchoForm(t *testing.T) {
	const key = "FAKEwJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY"
	token := "FwoGZXIvYXdzEFAKE" + strings.Repeat("Ab3/Cd4+Ef5/", 30) + "FAKE=="
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0." + strings.Repeat("c2lnbmF0dXJl", 20)
	chunk := func(s string, n int) string {
		var parts []string
		for len(s) > n {
			parts, s = append(parts, s[:n]), s[n:]
		}
		return strings.Join(append(parts, s), "\n")
	}
	known := []struct{ name, msg, secret string }{
		{"URL-encoded key", "signed with " + url.QueryEscape(key), key},
		{"URL-encoded Amazon token", "bad token " + url.QueryEscape("Atza|IwEBIFAKEtokenAmazonLoginWithAmazon0123456789abcdefFAKE"), "Atza|IwEBIFAKEtokenAmazonLoginWithAmazon0123456789abcdefFAKE"},
		{"JWT wrapped every 64 characters", "token:\n" + chunk(jwt, 64), jwt},
		{"session token wrapped every 64 characters", "x " + chunk(token, 64), token},
		{"escaped slashes", `{"m":"` + strings.ReplaceAll(token, "/", `\/`) + `"}`, token},
		{"a token cut by a 500-character limit", strings.Repeat("x.", 210) + token[:79], token},
	}
	for _, tc := range known {
		out := scrubAll(tc.msg, tc.secret)
		for x := 0; x+fragment <= len(tc.secret); x++ {
			if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(out, "\n", ""), `\/`, "/"), tc.secret[x:x+fragment]) {
				t.Errorf("%s: a 16-character piece of the secret survives: %s", tc.name, out)
				break
			}
		}
	}
	unknown := []struct{ name, msg, secret string }{
		{"STS's XML", "<Credentials><SecretAccessKey>" + key + "</SecretAccessKey>", key},
		{"a Python dict", "{'SecretAccessKey': '" + key + "'}", key},
		{"JSON in JSON", `{"m":"{\"SecretAccessKey\":\"` + key + `\"}"}`, key},
		{"Token: value", "Token: FAKEvalueFAKE", "FAKEvalueFAKE"},
		{"kebab-case name", "secret-access-key=" + key, key},
		{"Authorization: Bearer", "Authorization: Bearer FAKEtokFAKE", "FAKEtokFAKE"},
		{"a password with a comma", "password=ab,cdefghijkFAKE", "cdefghijkFAKE"},
		{"a URL password with an @", "https://user:p@ssFAKEword@host/x", "ssFAKEword"},
	}
	for _, tc := range unknown {
		if out := Scrub(tc.msg); strings.Contains(out, tc.secret) {
			t.Errorf("%s: %q kept the secret: %q", tc.name, tc.msg, out)
		}
	}
	if out := Scrub(strings.Repeat("a", 10<<20)); len(out) > 20<<10 {
		t.Errorf("Scrub of 10 MB returned %d bytes, want a bounded message", len(out))
	}
}

// TestScrubKnownRemovesEveryEncodingOfASecretTheCallUsed: a server that
// echoes the call's secret base64-encoded, or split by spaces or lines,
// gets it redacted; a whole non-JWT web identity token included.
func TestScrubKnownRemovesEveryEncodingOfASecretTheCallUsed(t *testing.T) {
	token := "fake0opaque1web2identity3token4not5a6jwt7at8all9x" // 50 characters, not a JWT, not 100+ base64
	split := func(s string, n int, sep string) string {
		var parts []string
		for len(s) > n {
			parts, s = append(parts, s[:n]), s[n:]
		}
		return strings.Join(append(parts, s), sep)
	}
	for name, echo := range map[string]string{
		"as it is":             token,
		"base64":               base64.StdEncoding.EncodeToString([]byte(token)),
		"base64 unpadded":      base64.RawStdEncoding.EncodeToString([]byte(token)),
		"base64url":            base64.URLEncoding.EncodeToString([]byte(token)),
		"split by spaces of 8": split(token, 8, " "),
		"wrapped over lines":   split(token, 20, "\n  "),
		"base64 wrapped":       split(base64.StdEncoding.EncodeToString([]byte(token)), 10, "\r\n"),
		// The outside attack round's forms.
		"base64 of k=secret":         base64.StdEncoding.EncodeToString([]byte("k=" + token)),
		"base64 of sk=secret":        base64.StdEncoding.EncodeToString([]byte(" sk=" + token)),
		"base64url of t=secret":      base64.URLEncoding.EncodeToString([]byte("t=" + token + "&x=1")),
		"hex":                        hex.EncodeToString([]byte(token)),
		"HEX":                        strings.ToUpper(hex.EncodeToString([]byte(token))),
		"every byte percent-encoded": percentAll(token),
		"base32":                     base32.StdEncoding.EncodeToString([]byte(token)),
		"rot13":                      rot13(token),
		"split by dashes":            split(token, 7, "-"),
		"split by zero-width spaces": split(token, 5, "\u200b"),
		"upper-cased":                strings.ToUpper(token),
		"lower-cased":                strings.ToLower(token),
	} {
		t.Run(name, func(t *testing.T) {
			got := ScrubKnown("InvalidIdentityToken: could not read ["+echo+"] from the request", token)
			plain := strings.ToLower(strings.NewReplacer(" ", "", "\n", "", "\r", "", "-", "", "\u200b", "").Replace(got))
			for _, piece := range []string{token[:12], token[20:32], token[len(token)-10:]} {
				if strings.Contains(plain, strings.ToLower(piece)) {
					t.Errorf("%q still shows %q", got, piece)
				}
			}
			// What is left decodes to no piece of the secret either.
			for _, field := range strings.FieldsFunc(got, func(r rune) bool { return r == '[' || r == ']' || r == ' ' }) {
				for _, dec := range decodings(field) {
					if strings.Contains(dec, token[:8]) || strings.Contains(dec, token[20:28]) || strings.Contains(dec, token[len(token)-8:]) {
						t.Errorf("%q decodes to %q, a piece of the secret", field, dec)
					}
				}
			}
			if !strings.Contains(got, "InvalidIdentityToken: could not read [") || !strings.Contains(got, "] from the request") {
				t.Errorf("the message around the secret was lost: %q", got)
			}
		})
	}
}

// TestScrubKeepsOurOwnWordsAfterToken: a message of ours naming a token is
// not blanked; a token's value after the same words is.
func TestScrubKeepsOurOwnWordsAfterToken(t *testing.T) {
	kept := []string{
		"tempcreds: getting the web identity token: web identity token file /var/run/token: no such file",
		"tempcreds: load login token: cached file not found",
		"tempcreds: sso token: expired, run aws sso login",
	}
	for _, msg := range kept {
		if got := Scrub(msg); got != msg {
			t.Errorf("Scrub(%q) = %q; our own words were redacted", msg, got)
		}
	}
	redacted := map[string]string{
		"session_token: AQoDYXdzEJr1K2x9fakefake": "AQoDYXdz",
		"token: ab12cd34ef56":                     "ab12cd34",
		"Token: abcdefghijklmnopqrstuvwxyz":       "abcdefghijklmnop", // a long lower-case value is a value
		"password: hunter":                        "hunter",           // passwords are never taken for prose
		`"SessionToken": "fakefakefake"`:          "fakefakefake",
		"Authorization: Bearer eyJfake.fake.fake": "eyJfake",
	}
	for msg, secret := range redacted {
		if got := Scrub(msg); strings.Contains(got, secret) {
			t.Errorf("Scrub(%q) = %q; the value shows", msg, got)
		}
	}
}

// decodings are what a leftover may decode to (base64, hex, rot13).
func decodings(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			out = append(out, string(b))
		}
	}
	if b, err := hex.DecodeString(s); err == nil {
		out = append(out, string(b))
	}
	return append(out, rot13(s))
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestKeyIDShowsOnlyBothEnds(t *testing.T) {
	for in, want := range map[string]string{"": "…", "AKIA1234": "…", "ASIAEXAMPLEKEYABCD": "ASIA…ABCD"} {
		if got := KeyID(in); got != want {
			t.Errorf("KeyID(%q) = %q, want %q", in, got, want)
		}
	}
}
