package sharedfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSettingsNeverCarryACredentialSetting: whatever the file's shape, the
// child's config holds the profile's settings and no key from which an SDK
// takes credentials.
func TestSettingsNeverCarryACredentialSetting(t *testing.T) {
	credential := []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_arn", "source_profile",
		"credential_process", "credential_source", "web_identity_token_file", "sso_session", "sso_start_url", "login_session", "mfa_serial"}
	tests := []struct {
		name, file, profile string
		want                []string // settings that must be there
	}{
		{"a role profile", "[profile dev]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\noutput = text\n", "dev", []string{"region = eu-west-1", "output = text"}},
		{"CRLF line endings", "[profile dev]\r\nregion = eu-west-1\r\naws_access_key_id = AKIAFAKE\r\naws_secret_access_key = fake\r\n", "dev", []string{"region = eu-west-1"}},
		{"upper case keys and odd spacing", "[ profile   dev ]\n  \nREGION=eu-west-1\nAWS_SECRET_ACCESS_KEY=fake\nRole_Arn   =   x\n", "dev", []string{"region = eu-west-1"}},
		// The outside attack round's: every form botocore reads as a setting.
		{"a colon as the separator", "[profile dev]\nregion: eu-west-1\naws_access_key_id: AKIAFAKE\naws_secret_access_key: fake\n", "dev", []string{"region = eu-west-1"}},
		{"a lone CR inside a value", "[profile dev]\nregion = eu-west-1\noutput = json\rcredential_process = cat keys\r[profile other]\raws_secret_access_key = fake\n", "dev", []string{"region = eu-west-1"}},
		{"indented keys right after the header", "[profile dev]\n  aws_access_key_id = AKIAFAKE\n  aws_secret_access_key = fake\nregion = eu-west-1\n", "dev", []string{"region = eu-west-1"}},
		{"credential keys nested in a block, and under a plain setting", "[profile dev]\ns3 =\n  aws_secret_access_key = fake\n  addressing_style = path\noutput = text\n  aws_access_key_id = AKIAFAKE\n", "dev", []string{"  addressing_style = path", "output = text"}},
		{"a services section with credential keys", "[profile dev]\nservices = local\n[services local]\naws_secret_access_key = fake\nsts =\n  aws_access_key_id = AKIAFAKE\n  endpoint_url = http://127.0.0.1:9000\nrole_arn = x\n", "dev", []string{"[services local]", "sts =", "  endpoint_url = http://127.0.0.1:9000"}},
		{"a key no one listed", "[profile dev]\nregion = eu-west-1\nfuture_sdk_credential = fake\n", "dev", []string{"region = eu-west-1"}},
		{"a section given twice", "[profile dev]\nregion = eu-west-1\n[profile dev]\ncredential_process = cat keys\nretry_mode = standard\n", "dev", []string{"region = eu-west-1", "retry_mode = standard"}},
		{"an s3 block, and a credential key's nested lines", "[profile dev]\ns3 =\n  addressing_style = path\nsso_session = x\n  nested = y\nmax_attempts = 7\n", "dev", []string{"s3 =", "  addressing_style = path", "max_attempts = 7"}},
		{"the default profile, both spellings", "[default]\nregion = ap-south-1\naws_access_key_id = AKIAFAKE\n[profile default]\noutput = json\nrole_arn = x\n", "", []string{"region = ap-south-1", "output = json"}},
		{"a services section it names", "[profile dev]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9000\n[profile other]\naws_secret_access_key = fake\n", "dev", []string{"services = local", "[services local]", "endpoint_url = http://127.0.0.1:9000"}},
		{"comments", "[profile dev]\n# aws_secret_access_key = fake\n; role_arn = x\nregion = eu-west-1\n", "dev", []string{"region = eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Settings(write(t, tt.file), tt.profile))
			if !strings.Contains(got, "\n[default]\n") {
				t.Fatalf("no [default] section:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q:\n%s", w, got)
				}
			}
			lower := strings.ToLower(got)
			for _, k := range credential {
				if strings.Contains(lower, "\n"+k) || strings.Contains(lower, "\n"+k+"=") {
					t.Errorf("a credential setting %s reached the child:\n%s", k, got)
				}
			}
			for _, secret := range []string{"AKIAFAKE", "fake\n", "= fake", "cat keys", "nested = y", "\r"} {
				if strings.Contains(got, secret) {
					t.Errorf("%q reached the child:\n%s", secret, got)
				}
			}
		})
	}
	if got := Settings(filepath.Join(t.TempDir(), "missing"), "dev"); got != nil {
		t.Errorf("a missing file gave %q", got)
	}
}

func TestProfilesAndTheirKinds(t *testing.T) {
	config := write(t, "[default]\nregion = x\n[profile r]\nrole_arn = a\n[profile w]\nrole_arn = a\nweb_identity_token_file = f\n[profile s]\nsso_session = x\n[profile l]\nlogin_session = x\n[profile p]\ncredential_process = c\n[sso-session x]\nsso_region = y\n")
	creds := write(t, "[k]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n")
	var got []string
	for _, p := range Profiles(config, creds) {
		got = append(got, p.Name+":"+p.Kind())
	}
	want := "default:settings k:keys l:login p:process r:role s:sso w:web-identity"
	if strings.Join(got, " ") != want {
		t.Errorf("profiles %q, want %q", strings.Join(got, " "), want)
	}
}
