package stsrules

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEveryRuleAtItsBoundaries: each rule takes the last value inside its
// bounds and refuses the first one outside, on both sides.
func TestEveryRuleAtItsBoundaries(t *testing.T) {
	tags := func(n int) map[string]string {
		m := map[string]string{}
		for i := 0; i < n; i++ {
			m[strings.Repeat("k", 1+i%100)+string(rune('a'+i/100))+strings.Repeat("x", i/26)] = "v"
		}
		return m
	}
	arns := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		}
		return out
	}
	role := "arn:aws:iam::123456789012:role/"
	for _, tc := range []struct {
		name string
		v    *Violation
		want string // "" passes
	}{
		{"AssumeRole 15m", Duration("Duration", AssumeRole, 15*time.Minute), ""},
		{"AssumeRole 15m-1s", Duration("Duration", AssumeRole, 15*time.Minute-time.Second), "outside what STS allows for assume-role (15m0s to 12h0m0s)"},
		{"AssumeRole 12h", Duration("Duration", AssumeRole, 12*time.Hour), ""},
		{"AssumeRole 12h+1s", Duration("Duration", AssumeRole, 12*time.Hour+time.Second), "outside what STS allows"},
		{"web identity 12h", Duration("Duration", WebIdentity, 12*time.Hour), ""},
		{"web identity 12h+1s", Duration("Duration", WebIdentity, 12*time.Hour+time.Second), "for web-identity (15m0s to 12h0m0s)"},
		{"GetSessionToken 15m", Duration("Duration", GetSessionToken, 15*time.Minute), ""},
		{"GetSessionToken 15m-1s", Duration("Duration", GetSessionToken, 15*time.Minute-time.Second), "for session-token (15m0s to 36h0m0s)"},
		{"GetSessionToken 36h", Duration("Duration", GetSessionToken, 36*time.Hour), ""},
		{"GetSessionToken 36h+1s", Duration("Duration", GetSessionToken, 36*time.Hour+time.Second), "outside what STS allows"},
		{"GetFederationToken 36h", Duration("Duration", GetFederationToken, 36*time.Hour), ""},
		{"GetFederationToken 36h+1s", Duration("Duration", GetFederationToken, 36*time.Hour+time.Second), "for federation-token"},
		{"duration 0 is STS's default", Duration("Duration", AssumeRole, 0), ""},
		{"a negative duration", Duration("Duration", AssumeRole, -time.Hour), "not a whole, positive number of seconds"},
		{"a fractional duration", Duration("Duration", AssumeRole, time.Hour+time.Millisecond), "not a whole, positive number of seconds"},

		{"session name of 2", SessionName("RoleSessionName", "ab"), ""},
		{"session name of 1", SessionName("RoleSessionName", "a"), "must be 2 to 64 characters"},
		{"session name of 64", SessionName("RoleSessionName", strings.Repeat("a", 64)), ""},
		{"session name of 65", SessionName("RoleSessionName", strings.Repeat("a", 65)), "must be 2 to 64 characters"},
		{"session name with every allowed sign", SessionName("RoleSessionName", "aZ09_+=,.@-"), ""},
		{"session name with a space", SessionName("RoleSessionName", "a b"), "letters, digits and +=,.@_-"},
		{"session name with a non-ASCII letter", SessionName("RoleSessionName", "ané"), "letters, digits"},
		{"no session name: the default applies", SessionName("RoleSessionName", ""), ""},
		{"source identity", SessionName("SourceIdentity", "x"), "{{SourceIdentity}}"},

		{"a role ARN", RoleARN("RoleARN", role+"A"), ""},
		{"a role ARN with a path", RoleARN("RoleARN", role+"team/A"), ""},
		{"a GovCloud role ARN", RoleARN("RoleARN", "arn:aws-us-gov:iam::123456789012:role/A"), ""},
		{"no role ARN", RoleARN("RoleARN", ""), "a role ARN is required"},
		{"an 11-digit account", RoleARN("RoleARN", "arn:aws:iam::12345678901:role/A"), "is not a role ARN"},
		{"not iam", RoleARN("RoleARN", "arn:aws:sts::123456789012:role/A"), "is not a role ARN"},
		{"a user, not a role", RoleARN("RoleARN", "arn:aws:iam::123456789012:user/A"), "is not a role ARN"},
		{"a newline in the name", RoleARN("RoleARN", role+"A\nB"), "is not a role ARN"},
		{"a role ARN of 2048", RoleARN("RoleARN", role+strings.Repeat("a", 2048-len(role))), ""},
		{"a role ARN of 2049", RoleARN("RoleARN", role+strings.Repeat("a", 2049-len(role))), "longer than a role ARN may be (2048)"},

		{"a policy of 2048", Policy("Policy", `"`+strings.Repeat("a", 2046)+`"`), ""},
		{"a policy of 2049", Policy("Policy", `"`+strings.Repeat("a", 2047)+`"`), "2049 characters; STS allows 2048"},
		{"a policy that is not JSON", Policy("Policy", "{"), "is not valid JSON"},
		{"no policy", Policy("Policy", ""), ""},
		{"10 policy ARNs", PolicyARNs("PolicyARNs", arns(10)), ""},
		{"11 policy ARNs", PolicyARNs("PolicyARNs", arns(11)), "11 policy ARNs given; STS allows 10"},
		{"a policy ARN of 20", PolicyARNs("PolicyARNs", []string{"arn:" + strings.Repeat("a", 16)}), ""},
		{"a policy ARN of 19", PolicyARNs("PolicyARNs", []string{"arn:" + strings.Repeat("a", 15)}), "is not an ARN like"},
		{"a policy name, not an ARN", PolicyARNs("PolicyARNs", []string{"ReadOnlyAccessPolicyName"}), "is not an ARN like"},

		{"50 tags", Tags("Tags", tags(50)), ""},
		{"51 tags", Tags("Tags", tags(51)), "51 session tags, STS allows 50"},
		{"a tag key of 128", Tags("Tags", map[string]string{strings.Repeat("k", 128): "v"}), ""},
		{"a tag key of 129", Tags("Tags", map[string]string{strings.Repeat("k", 129): "v"}), "must be 1 to 128 characters"},
		{"an empty tag key", Tags("Tags", map[string]string{"": "v"}), "must be 1 to 128 characters"},
		{"a tag value of 256", Tags("Tags", map[string]string{"k": strings.Repeat("v", 256)}), ""},
		{"a tag value of 257", Tags("Tags", map[string]string{"k": strings.Repeat("v", 257)}), "longer than 256 characters"},
		{"an aws: key", Tags("Tags", map[string]string{"AWS:x": "v"}), "starts with aws:"},
		{"a control character", Tags("Tags", map[string]string{"k": "a\x7f"}), "holds a control character"},
		{"transitive keys among the tags", TransitiveTags("TransitiveTags", "session tags", []string{"a"}, map[string]string{"a": "1"}), ""},
		{"a transitive key that is not a tag", TransitiveTags("TransitiveTags", "session tags", []string{"b"}, map[string]string{"a": "1"}), `"b" is not one of the session tags`},

		{"an external ID of 2", ExternalID("ExternalID", "ab"), ""},
		{"an external ID of 1", ExternalID("ExternalID", "a"), "must be 2 to 1224 characters, got 1"},
		{"an external ID of 1224", ExternalID("ExternalID", strings.Repeat("a", 1224)), ""},
		{"an external ID of 1225", ExternalID("ExternalID", strings.Repeat("a", 1225)), "got 1225"},

		{"an MFA serial of 9", MFASerial("MFASerial", "123456789"), ""},
		{"an MFA serial of 8", MFASerial("MFASerial", "12345678"), "must be 9 to 256 characters"},
		{"an MFA serial of 256", MFASerial("MFASerial", strings.Repeat("1", 256)), ""},
		{"an MFA serial of 257", MFASerial("MFASerial", strings.Repeat("1", 257)), "must be 9 to 256 characters"},
		{"a token code of 6 digits", TokenCode("--mfa-code", "012345"), ""},
		{"a token code of 5 digits", TokenCode("--mfa-code", "12345"), "--mfa-code must be 6 digits, got 5 characters"},
		{"a token code of 7 digits", TokenCode("--mfa-code", "1234567"), "must be 6 digits"},
		{"a token code with a letter", TokenCode("--mfa-code", "12345a"), "must be 6 digits"},

		{"MinimumSessionTokenSize 0", MinTokenSize("MinTokenSize", 0), ""},
		{"MinimumSessionTokenSize -1", MinTokenSize("MinTokenSize", -1), "outside what STS accepts (0 to 4096 bytes)"},
		{"MinimumSessionTokenSize 4096", MinTokenSize("MinTokenSize", 4096), ""},
		{"MinimumSessionTokenSize 4097", MinTokenSize("MinTokenSize", 4097), "4097 is outside what STS accepts"},
		{"web identity token 3", WebIdentityToken("token", "abc"), "the token is 3 characters; STS accepts 4 to 20000"},
		{"web identity token 4", WebIdentityToken("token", "abcd"), ""},
		{"web identity token 20000", WebIdentityToken("token", strings.Repeat("a", 20000)), ""},
		{"web identity token 20001", WebIdentityToken("token", strings.Repeat("a", 20001)), "the token is 20001 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch {
			case tc.want == "" && tc.v != nil:
				t.Fatalf("refused: %s", tc.v.Error())
			case tc.want != "" && tc.v == nil:
				t.Fatalf("passed, want %q", tc.want)
			case tc.v != nil && !strings.Contains(tc.v.Error(), tc.want) && !strings.Contains(tc.v.Problem, tc.want):
				t.Fatalf("%q (%q), want %q", tc.v.Error(), tc.v.Problem, tc.want)
			}
		})
	}
}

// TestSessionNameMatchesSTSPattern: the hand-written check is STS's
// [\w+=,.@-]{2,64}, on every ASCII character.
func TestSessionNameMatchesSTSPattern(t *testing.T) {
	re := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	for r := rune(0); r < 0x80; r++ {
		s := "a" + string(r)
		if ValidSessionName(s) != re.MatchString(s) {
			t.Errorf("%q: ValidSessionName %v, the pattern %v", s, ValidSessionName(s), re.MatchString(s))
		}
	}
}

func TestPersonalSessionNamesKeepSTSRules(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	for _, user := range []string{"ana", "", "DOMAIN\\ana", "ana o'neil", "ünïcode", string(make([]byte, 200)), "a-very-long-user-name-that-goes-on-and-on-and-on-for-ever-and-ever"} {
		name := PersonalSessionName(user) + "-1796218754"
		if !valid.MatchString(name) || !strings.HasPrefix(name, "tempcreds") {
			t.Errorf("user %q: %q", user, name)
		}
	}
}

func TestViolationsCarryTheFieldAndLimit(t *testing.T) {
	v := ExternalID("ExternalID", "x")
	if v.Field != "ExternalID" || v.Limit != "2 to 1224 characters" || v.Value != "" {
		t.Fatalf("%+v", v)
	}
	if v := SessionName("RoleSessionName", "a b"); v.Value != "a b" || v.Error() != `RoleSessionName "a b" must be 2 to 64 characters of letters, digits and +=,.@_-` {
		t.Fatalf("%+v: %s", v, v.Error())
	}
	if First(nil, nil) != nil || First(nil, v, ExternalID("E", "x")) != v {
		t.Fatal("First")
	}
}

// TestAskAgain: the two "ask again with less" rules, side by side.
func TestAskAgain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		refused   Retry
		asked     time.Duration
		defaulted bool
		mfa       bool
		want      time.Duration
		again     bool
	}{
		{"chaining cap over 1h", ChainingCap, 2 * time.Hour, false, false, time.Hour, true},
		{"chaining cap at 1h", ChainingCap, time.Hour, false, false, 0, false},
		{"chaining cap with MFA (a code works once)", ChainingCap, 2 * time.Hour, false, true, 0, false},
		{"MaxSessionDuration of a default", MaxSessionDuration, 12 * time.Hour, true, false, 0, true},
		{"MaxSessionDuration of an asked-for duration", MaxSessionDuration, 12 * time.Hour, false, false, 0, false},
		{"another refusal", 0, 12 * time.Hour, true, false, 0, false},
	} {
		d, again := AskAgain(tc.refused, tc.asked, tc.defaulted, tc.mfa)
		if d != tc.want || again != tc.again {
			t.Errorf("%s: %s, %v; want %s, %v", tc.name, d, again, tc.want, tc.again)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"", 0, ""},
		{"3600", time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"31622400", 366 * 24 * time.Hour, ""},
		{"31622401", 0, "is more than a year"},
		{"8785h", 0, "is more than a year"},
		{"0", 0, "must be positive"},
		{"-1s", 0, "must be positive"},
		{"1.5s", 0, "is not a whole number of seconds"},
		{"soon", 0, "is not a duration"},
	} {
		got, err := ParseDuration(tc.in)
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) || got != tc.want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s, %q", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
