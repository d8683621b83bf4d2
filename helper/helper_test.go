package helper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/ststest"
)

func TestEnvironmentOverridesConfigAndTheFileIsReusedUntilExpiry(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("colby")
	s.SetMaxSessionDuration("arn:aws:iam::123456789012:role/FromEnv", 12*time.Hour)
	file := filepath.Join(t.TempDir(), ".aws-sts.json")
	env := map[string]string{
		"AWS_ROLE_ARN":         "arn:aws:iam::123456789012:role/FromEnv",
		"AWS_ENDPOINT_URL_STS": s.URL,
		"HOME":                 t.TempDir(),
	}
	var cfg Config
	cfg.Getenv = func(k string) string { return env[k] }
	cfg.Credentials.FileName = file
	cfg.Credentials.Mode = 0o640
	cfg.Role.ARN = "arn:aws:iam::123456789012:role/FromConfig"
	cfg.Role.SessionName = "colbyProjectsDev"
	cfg.Key.Access, cfg.Key.Secret = user.AccessKeyID, user.SecretAccessKey

	// A mode wider than owner-only is refused, never written.
	if _, err := GetTemporaryCredentials(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "owner-only") {
		t.Fatalf("mode 0640: %v, want a refusal", err)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a 0640 credentials file was written")
	}
	cfg.Credentials.Mode = 0o600

	first, err := GetTemporaryCredentials(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.AssumedRoleUser == nil || aws.ToString(first.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/FromEnv/colbyProjectsDev" {
		t.Fatalf("assumed %+v; the environment's role must win over the configuration's", first.AssumedRoleUser)
	}
	if d := time.Until(aws.ToTime(first.Credentials.Expiration)); d < 11*time.Hour {
		t.Errorf("session of %s, want the helper's default 43200 s", d)
	}
	st, _ := os.Stat(file)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	again, err := GetTemporaryCredentials(context.Background(), cfg)
	if err != nil || aws.ToString(again.Credentials.AccessKeyId) != aws.ToString(first.Credentials.AccessKeyId) || s.Count("AssumeRole") != 1 {
		t.Errorf("second call: %v, %d STS calls; want the cached file", err, s.Count("AssumeRole"))
	}

	// An expired file (as the published helper would keep using) is replaced.
	expired := fmt.Sprintf(`{"Credentials":{"AccessKeyId":"ASIAFAKEOLD","SecretAccessKey":"fake","SessionToken":"fake","Expiration":%q},`+
		`"AssumedRoleUser":{"AssumedRoleId":"AROAFAKE:x","Arn":"arn:aws:sts::123456789012:assumed-role/FromEnv/x"}}`,
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
	if err := os.WriteFile(file, []byte(expired), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := GetTemporaryCredentials(context.Background(), cfg)
	if err != nil || aws.ToString(fresh.Credentials.AccessKeyId) == "ASIAFAKEOLD" || s.Count("AssumeRole") != 2 {
		t.Errorf("after expiry: %v, key %v; want new credentials", err, fresh)
	}
}
