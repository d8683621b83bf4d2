package cli

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

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

// FuzzTagsAndPolicy: flag values never panic; accepted tags round-trip.
func FuzzTagsAndPolicy(f *testing.F) {
	f.Add("team=a")
	f.Add("=x")
	f.Add("k=v=w")
	f.Fuzz(func(t *testing.T, tag string) {
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

// FuzzOutputsParseBack: whatever the credentials hold, every format either
// refuses them (the output validator) or prints them so that the consumer
// reads back exactly the same values: JSON by a JSON parser, sh and env by
// a real sh, ini by a line parser that finds one section and the same keys.
// Values AWS never returns must be refused.
func FuzzOutputsParseBack(f *testing.F) {
	f.Add("ASIAFAKE", "s3cr'et\"\\$x", "tok\nen")
	f.Add("ASIAFAKEFAKEFAKE", "fake/Secret+Key=", "FwoGZXIvYXdzEFAKE//token==")
	f.Add("ASIA`id`", "x$(id)", "y\n[evil]\nkey = v")
	f.Add("AKIAFAKE", "\u2019; Remove-Item x; \u2019", "tok")
	sh, _ := exec.LookPath("sh")
	f.Fuzz(func(t *testing.T, id, secret, token string) {
		c := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, CanExpire: true,
			Expires: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
		valid := checkCredentialValues(c) == nil
		for _, format := range Formats {
			var b bytes.Buffer
			err := writeCredentials(&b, format, c, "")
			if id == "" {
				continue // refused: no access key
			}
			if !valid {
				if err == nil {
					t.Fatalf("%s printed credentials the validator refuses: %q", format, b.String())
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s refused valid credentials: %v", format, err)
			}
			out := b.String()
			switch format {
			case "json", "credential-process", "sts":
				var m map[string]any
				err := json.Unmarshal(b.Bytes(), &m)
				if inner, ok := m["Credentials"].(map[string]any); ok && format == "sts" {
					m = inner
				}
				if err != nil || m["AccessKeyId"] != id || m["SecretAccessKey"] != secret {
					t.Fatalf("%s did not round-trip: %v %s", format, err, out)
				}
			case "cmd":
				// What cmd.exe's set "NAME=VALUE" gives: the text between
				// the first = and the closing quote, taken literally.
				got := map[string]string{}
				for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
					if name, ok := strings.CutPrefix(line, "set "); ok && strings.HasSuffix(name, "=") && !strings.Contains(name, `"`) {
						got[strings.TrimSuffix(name, "=")] = "" // an unset of what a previous export set
						continue
					}
					body, ok := strings.CutPrefix(line, `set "`)
					body, ok2 := strings.CutSuffix(body, `"`)
					name, value, ok3 := strings.Cut(body, "=")
					if !ok || !ok2 || !ok3 || !cmdSafe(value) {
						t.Fatalf("cmd line %q is not a literal set", line)
					}
					got[name] = value
				}
				if got["AWS_ACCESS_KEY_ID"] != id || got["AWS_SECRET_ACCESS_KEY"] != secret || got["AWS_SESSION_TOKEN"] != token {
					t.Fatalf("cmd gave %v", got)
				}
			case "ini":
				if strings.Count(out, "[") != 1 || !strings.Contains(out, "aws_secret_access_key = "+secret+"\n") {
					t.Fatalf("ini structure broken:\n%s", out)
				}
			case "sh", "env":
				if sh == "" {
					t.Fatal("sh is required")
				}
				got, err := exec.Command(sh, "-c", out+`printf '%s\n%s\n%s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"`).Output()
				if err != nil || string(got) != id+"\n"+secret+"\n"+token {
					t.Fatalf("%s sourced by sh gave %q (%v), want the values", format, got, err)
				}
			}
		}
	})
}
