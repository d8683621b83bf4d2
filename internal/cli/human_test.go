package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

const loginARN = "arn:aws:iam::123456789012:user/alice"

// humanHarness is a harness whose SDK (which reads the process environment)
// finds the fake Identity Center, OIDC and sign-in services and the token
// caches under the harness's home.
func humanHarness(t *testing.T) (*harness, *ststest.Human) {
	h := newHarness(t)
	return h, humanSetup(h)
}

// humanSetup starts the fake services on h and writes its config. The
// SDK's token providers judge expiry by the real clock: the harness's
// clock is set to it, so both agree at any date (go-test-at).
func humanSetup(h *harness) *ststest.Human {
	t := h.t
	h.clk.Set(time.Now())
	hu := ststest.NewHuman(h.sts)
	t.Cleanup(hu.Close)
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", h.dir)
	t.Setenv("AWS_ENDPOINT_URL_SSO", hu.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", hu.URL)
	t.Setenv("AWS_ENDPOINT_URL_SIGNIN", hu.URL)
	t.Setenv("AWS_LOGIN_CACHE_DIRECTORY", "")
	h.writeFile("config", fmt.Sprintf(`[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
region = us-east-1
[sso-session corp]
sso_start_url = https://corp.example.com/start
sso_region = us-east-1
[profile legacy]
sso_start_url = https://corp.example.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Legacy
region = us-east-1
[profile login]
login_session = %s
region = us-east-1
[profile hub]
role_arn = %s
source_profile = sso
[profile dev]
role_arn = %s
source_profile = hub
[profile hub-legacy]
role_arn = %s
source_profile = legacy
[profile from-login]
role_arn = %s
source_profile = login
[profile deep-login]
role_arn = %s
source_profile = from-login
`, loginARN, roleB, roleA, roleB, roleB, roleA))
	return hu
}

// writeSSOToken and writeLoginToken write the SDK's token caches under the
// harness's home and make the tokens valid on the fake services.
func writeSSOToken(t *testing.T, h *harness, hu *ststest.Human, key, access, refresh string, expires time.Time) {
	must(t, hu.WriteSSOToken(h.dir, key, access, refresh, expires))
}

func writeLoginToken(t *testing.T, h *harness, hu *ststest.Human, refresh string, expires time.Time) {
	must(t, hu.WriteLoginToken(h.dir, loginARN, refresh, expires))
}

// TestSSOAndLoginSessionsAnywhereInAChain: an IAM Identity Center profile
// (sso_session, and legacy sso_start_url) and an `aws login` profile (which
// aws-sdk-go-v2's own loader refuses as a source_profile) are the source of
// role chains of one and two hops, through the SDK's ssocreds and
// logincreds; an expired session's token is refreshed once; a session that
// cannot be refreshed names the command to run.
func TestSSOAndLoginSessionsAnywhereInAChain(t *testing.T) {
	// The SDK's token providers read the wall clock (humanSetup sets the
	// harness's clock to it).
	future, past := time.Now().Add(time.Hour), time.Now().Add(-time.Minute)
	tests := []struct {
		name      string
		setup     func(t *testing.T, h *harness, hu *ststest.Human)
		profile   string
		wantRoles []string // AssumeRole calls, in order
		want      map[string]int
		fail      string
	}{
		{"sso_session, two roles above, token valid", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeSSOToken(t, h, hu, "corp", "fake-access-1", "fake-refresh-1", future)
		}, "dev", []string{roleB, roleA}, map[string]int{"GetRoleCredentials": 1, "CreateToken": 0}, ""},
		{"sso_session, token expired: refreshed once", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeSSOToken(t, h, hu, "corp", "fake-access-old", "fake-refresh-1", past)
		}, "dev", []string{roleB, roleA}, map[string]int{"GetRoleCredentials": 1, "CreateToken": 1}, ""},
		{"sso_session that cannot be refreshed", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeSSOToken(t, h, hu, "corp", "fake-access-old", "fake-refresh-revoked", past)
			hu.Revoke("fake-refresh-revoked")
		}, "dev", nil, map[string]int{"GetRoleCredentials": 0, "CreateToken": 1}, "run `aws sso login --profile sso` and retry"},
		{"legacy sso_start_url under a role", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeSSOToken(t, h, hu, "https://corp.example.com/start", "fake-access-1", "", future)
		}, "hub-legacy", []string{roleB}, map[string]int{"GetRoleCredentials": 1}, ""},
		{"aws login under one role", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeLoginToken(t, h, hu, "fake-refresh-login", future)
		}, "from-login", []string{roleB}, map[string]int{"CreateOAuth2Token": 0}, ""},
		{"aws login under two roles, session expired: refreshed once", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeLoginToken(t, h, hu, "fake-refresh-login", past)
		}, "deep-login", []string{roleB, roleA}, map[string]int{"CreateOAuth2Token": 1}, ""},
		{"aws login that cannot be refreshed", func(t *testing.T, h *harness, hu *ststest.Human) {
			writeLoginToken(t, h, hu, "fake-refresh-revoked", past)
			hu.Revoke("fake-refresh-revoked")
		}, "from-login", nil, map[string]int{"CreateOAuth2Token": 1}, "run `aws login --profile login` and retry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, hu := humanHarness(t)
			tc.setup(t, h, hu)
			_, stderr, code := h.run("export", "--profile", tc.profile, "--duration", "1h")
			if tc.fail != "" {
				if code != ExitCredentials || !strings.Contains(stderr, tc.fail) {
					t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.fail)
				}
			} else if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var roles []string
			for _, c := range h.sts.Calls() {
				if c.Action == "AssumeRole" && c.ErrorCode == "" {
					roles = append(roles, c.RoleARN)
				}
			}
			if strings.Join(roles, " ") != strings.Join(tc.wantRoles, " ") {
				t.Errorf("AssumeRole calls %v, want %v", roles, tc.wantRoles)
			}
			for op, n := range tc.want {
				if got := hu.Count(op); got != n {
					t.Errorf("%s calls: %d, want %d", op, got, n)
				}
			}
			h.noSecrets(stderr)
		})
	}
}
