package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FuzzParseDuration: a duration is positive whole seconds or a UsageError.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"3600", "1h", "90m", "0", "-1", "1.5s", "9999999999999999999", "1h1ns", "soon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration("--duration", s)
		if err != nil {
			if _, ok := err.(*UsageError); !ok {
				t.Fatalf("error type %T", err)
			}
			return
		}
		if s != "" && (d <= 0 || d%time.Second != 0) {
			t.Fatalf("%q gave %v", s, d)
		}
	})
}

// FuzzCheckARNAndTags: flags values never panic; accepted tags round-trip.
func FuzzCheckARNAndTags(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:role/A", "team=a")
	f.Add("arn:aws:iam::role/x", "=x")
	f.Add("arn:aws-cn:iam::123456789012:role/path/B", "k=v=w")
	f.Fuzz(func(t *testing.T, arn, tag string) {
		if err := checkARN("--role-arn", arn); err == nil && !strings.Contains(arn, ":role/") {
			t.Fatalf("accepted %q", arn)
		}
		tags, err := parseTags([]string{tag})
		if err == nil {
			k, v, _ := strings.Cut(tag, "=")
			if tags[k] != v {
				t.Fatalf("tag %q parsed as %v", tag, tags)
			}
		}
		_, _ = readPolicy(tag)
	})
}

// FuzzOutputsParseBack: whatever the credentials hold, the JSON formats
// parse back to the same values and the sh format has one line per variable.
func FuzzOutputsParseBack(f *testing.F) {
	f.Add("ASIAFAKE", "s3cr'et\"\\$x", "tok\nen")
	f.Fuzz(func(t *testing.T, id, secret, token string) {
		if !utf8.ValidString(id) || !utf8.ValidString(secret) || !utf8.ValidString(token) {
			return // STS credentials are ASCII; JSON cannot carry invalid UTF-8
		}
		c := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, CanExpire: true,
			Expires: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
		for _, format := range []string{"json", "credential-process"} {
			var b bytes.Buffer
			if err := writeCredentials(&b, format, c, ""); err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b.Bytes(), &m); err != nil {
				t.Fatalf("%s output is not JSON: %v", format, err)
			}
			if (id != "" && m["AccessKeyId"] != id) || (secret != "" && m["SecretAccessKey"] != secret) {
				t.Fatalf("%s did not round-trip", format)
			}
		}
		var b bytes.Buffer
		_ = writeCredentials(&b, "sh", c, "")
		if !strings.Contains(token, "\n") && !strings.Contains(secret, "\n") && !strings.Contains(id, "\n") &&
			strings.Count(b.String(), "\nexport ") != len(envVars(c))-1 {
			t.Fatalf("sh output has a broken line structure:\n%s", b.String())
		}
	})
}

// FuzzProfileConfig: any ~/.aws/config content resolves to a plan or a
// UsageError; never a panic.
func FuzzProfileConfig(f *testing.F) {
	f.Add("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n")
	f.Add("[profile a]\nrole_arn = x\nsource_profile = a\n")
	f.Add("[profile a]\nduration_seconds = -5\nmfa_serial = \n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, cfg string) {
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"AWS_CONFIG_FILE": path, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"), "HOME": dir}
		p, err := resolve(context.Background(), Options{Profile: "a"}, func(k string) string { return env[k] })
		if err == nil && len(p.Hops) == 0 {
			t.Fatal("a plan without hops")
		}
	})
}
