package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tempcreds/tempcreds/ststest"
)

// callParams returns the parameters of the AssumeRole calls of role, by call.
func assumeRoleParams(h *harness, role string) []map[string]string {
	var out []map[string]string
	for _, c := range h.sts.Calls() {
		if c.Action == "AssumeRole" && c.RoleARN == role && c.ErrorCode == "" {
			m := map[string]string{}
			for k, v := range c.Params {
				m[k] = strings.Join(v, ",")
			}
			out = append(out, m)
		}
	}
	return out
}

// TestAWSVaultProfileKeysAndChainWideSessionSettings: aws-vault's
// source_identity, session_tags, transitive_session_tags and mfa_process go
// on their profile's role; the flags' --source-identity and transitive tags
// go on the chain's first role (the fake STS, like AWS, refuses a later
// role that changes the source identity) and other tags on the final one;
// a key nobody reads gets one warning.
func TestAWSVaultProfileKeysAndChainWideSessionSettings(t *testing.T) {
	h := newHarness(t)
	h.writeFile("credentials", fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
	code := ststest.TOTP(h.secret, h.clk.Now())
	h.writeFile("config", fmt.Sprintf(`[profile base]
region = us-east-1
[profile b]
role_arn = %s
source_profile = base
source_identity = alice
session_tags = team=blue, cost=42
transitive_session_tags = team
mfa_serial = %s
mfa_process = printf %s
[profile a]
role_arn = %s
source_profile = b
session_tags = env=dev
include_profile = shared
`, roleB, mfa, code, roleA))
	_, stderr, exit := h.run("export", "--profile", "a", "--mfa-mode", "role")
	if exit != 0 {
		t.Fatalf("exit %d: %s", exit, stderr)
	}
	if h.prompts != 0 {
		t.Errorf("%d terminal prompts: mfa_process should answer", h.prompts)
	}
	if strings.Count(stderr, `tempcreds: warning: profile "a": tempcreds does not read the key "include_profile" (ignored)`) != 1 {
		t.Errorf("want one warning for include_profile, stderr:\n%s", stderr)
	}
	b, a := assumeRoleParams(h, roleB), assumeRoleParams(h, roleA)
	if len(b) != 1 || len(a) != 1 {
		t.Fatalf("%d calls for B, %d for A", len(b), len(a))
	}
	want := map[string]string{"SourceIdentity": "alice", "Tags.member.1.Key": "cost", "Tags.member.1.Value": "42",
		"Tags.member.2.Key": "team", "Tags.member.2.Value": "blue", "TransitiveTagKeys.member.1": "team", "SerialNumber": mfa}
	for k, v := range want {
		if b[0][k] != v {
			t.Errorf("B's %s = %q, want %q (all: %v)", k, b[0][k], v, b[0])
		}
	}
	if a[0]["Tags.member.1.Key"] != "env" || a[0]["SourceIdentity"] != "" {
		t.Errorf("A's call %v: want env=dev and no source identity (B's passes along)", a[0])
	}

	// The flags: --source-identity and the transitive tag on the first
	// role of --via B --role-arn A, the other tag on A.
	h2 := newHarness(t).withKeys()
	_, stderr, exit = h2.run("export", "--via", roleB, "--role-arn", roleA, "--source-identity", "bob",
		"--tag", "team=red", "--tag", "env=prod", "--transitive-tag", "team")
	if exit != 0 {
		t.Fatalf("exit %d: %s", exit, stderr)
	}
	b, a = assumeRoleParams(h2, roleB), assumeRoleParams(h2, roleA)
	if len(b) != 1 || b[0]["SourceIdentity"] != "bob" || b[0]["Tags.member.1.Key"] != "team" || b[0]["TransitiveTagKeys.member.1"] != "team" || b[0]["Tags.member.2.Key"] != "" {
		t.Errorf("B's call %v: want source identity bob and only the transitive tag", b)
	}
	if len(a) != 1 || a[0]["SourceIdentity"] != "" || a[0]["Tags.member.1.Key"] != "env" || a[0]["Tags.member.1.Value"] != "prod" {
		t.Errorf("A's call %v: want env=prod only", a)
	}
	// A transitive tag that is not a tag, and a bad profile session_tags.
	if _, stderr, exit := h2.run("export", "--role-arn", roleA, "--tag", "a=1", "--transitive-tag", "b"); exit != ExitUsage || !strings.Contains(stderr, `--transitive-tag "b" is not one of the --tag`) {
		t.Errorf("exit %d: %s", exit, stderr)
	}
	h.writeFile("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = base\nsession_tags = team\n")
	if _, stderr, exit := h.run("export", "--profile", "p"); exit != ExitUsage || !strings.Contains(stderr, `session_tags of profile "p": "team" is not KEY=VALUE`) {
		t.Errorf("exit %d: %s", exit, stderr)
	}
}
