package chain

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/ststest"
)

// TestDefaultsPerInterface: aws-sts-helper's interface keeps "temporary"
// and 12 h; a command-line or library role follows the AWS CLI (1 h, a
// session named after the person); a session token keeps 12 h.
func TestDefaultsPerInterface(t *testing.T) {
	keys := map[string]string{"AWS_STS_ACCESS_KEY": "AKIAFAKE", "AWS_STS_ACCESS_SECRET": "fake", "USER": "ana"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{"USER": "ana"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		req      Request
		env      map[string]string
		session  string
		duration time.Duration
		stamped  bool
	}{
		{"AWS_ROLE_ARN with the helper's keys", Request{}, with(map[string]string{"AWS_STS_ACCESS_KEY": "AKIAFAKE", "AWS_STS_ACCESS_SECRET": "fake", "AWS_ROLE_ARN": roleA}), "temporary", 12 * time.Hour, false},
		{"--role-arn with the helper's keys", Request{RoleARN: roleA}, keys, "temporary", 12 * time.Hour, false},
		{"--role-arn with library keys", Request{RoleARN: roleA, Keys: Keys{AccessKeyID: "AKIAFAKE", SecretAccessKey: "fake"}}, with(nil), "tempcreds-ana", time.Hour, true},
		{"HelperDefaults", Request{RoleARN: roleA, HelperDefaults: true, Keys: Keys{AccessKeyID: "AKIAFAKE", SecretAccessKey: "fake"}}, with(nil), "temporary", 12 * time.Hour, false},
		{"a role session name given", Request{RoleARN: roleA, RoleSessionName: "mine", Keys: Keys{AccessKeyID: "AKIAFAKE", SecretAccessKey: "fake"}}, with(nil), "mine", time.Hour, false},
		{"a session token", Request{NoRole: true, Keys: Keys{AccessKeyID: "AKIAFAKE", SecretAccessKey: "fake"}}, with(nil), "", 12 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Cache.Disabled = true
			p, err := Resolve(context.Background(), tt.req, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			f := lastHop(p)
			if f.SessionName != tt.session || f.Duration != tt.duration || f.sessionNameTimestamp != tt.stamped {
				t.Errorf("final hop: session %q (timestamped %v), duration %s; want %q (%v), %s", f.SessionName, f.sessionNameTimestamp, f.Duration, tt.session, tt.stamped, tt.duration)
			}
		})
	}
}

// TestTheTimestampNeverChangesTheCacheKey: the default session name
// carries the time of the build, the cache key does not, so a later run
// reuses the entry instead of calling STS again.
func TestTheTimestampNeverChangesTheCacheKey(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("ana")
	clock := fakeclock.New(time.Now())
	dir := t.TempDir()
	get := func() {
		t.Helper()
		p, err := Resolve(context.Background(), Request{RoleARN: roleA, EndpointURL: s.URL, Keys: Keys{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey},
			Cache: CachePolicy{Dir: dir}}, envOf(map[string]string{"USER": "ana"}))
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build(p, Deps{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	get()
	first := s.Calls()
	if len(first) != 1 || !regexp.MustCompile(`^tempcreds-ana-[0-9]+$`).MatchString(first[0].Params.Get("RoleSessionName")) {
		t.Fatalf("first run: %+v", first)
	}
	clock.Advance(10 * time.Minute)
	get()
	if n := s.Count("AssumeRole"); n != 1 {
		t.Errorf("a run 10 minutes later made %d AssumeRole calls in all, want 1 (a cache hit)", n)
	}
}

// TestADefaultDurationAboveATemporarySourceAsksForSTSDefault: a role above
// a source process or an SDK-resolved profile (temporary credentials) with
// aws-sts-helper's 12-hour default asks for STS's default (1 h), so it is
// never capped with a warning on every refresh.
func TestADefaultDurationAboveATemporarySourceAsksForSTSDefault(t *testing.T) {
	p, err := Resolve(context.Background(), Request{SourceProcess: "echo {}", Cache: CachePolicy{Disabled: true}},
		envOf(map[string]string{"AWS_ROLE_ARN": roleA, "USER": "ana"}))
	if err != nil {
		t.Fatal(err)
	}
	if f := lastHop(p); f.Duration != 0 || f.DurationOrigin == OriginDefault {
		t.Errorf("a role above a source process asks for %s (origin %q); want STS's default", f.Duration, f.DurationOrigin)
	}
}

// TestASourceProcessKeyHoldsItsHome: the same command under another HOME
// (its helper reads files there) is another cache entry.
func TestASourceProcessKeyHoldsItsHome(t *testing.T) {
	keys := map[string]bool{}
	files, cache := t.TempDir(), t.TempDir()
	for _, home := range []string{t.TempDir(), t.TempDir()} {
		t.Setenv("HOME", home)
		p, err := Resolve(context.Background(), Request{SourceProcess: "okta-aws-cli --format credential-process", Cache: CachePolicy{Dir: cache}},
			envOf(map[string]string{"HOME": home, "AWS_CONFIG_FILE": filepath.Join(files, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(files, "credentials")}))
		if err != nil {
			t.Fatal(err)
		}
		keys[cacheKeys(p)[0]] = true
	}
	if len(keys) != 2 {
		t.Error("two HOMEs share a source process's cache entry")
	}
}

// TestAWarningNeverEchoesALineThatMayHoldASecret: a session token wrapped
// onto its own line, or a key pasted without "=", is reported without
// being shown; a plain unknown key is named.
func TestAWarningNeverEchoesALineThatMayHoldASecret(t *testing.T) {
	config, creds := sharedFiles(t, "[profile w]\nrole_arn = "+roleA+"\nsource_profile = k\nregin = eu-west-1\n"+
		"aws_session_token  IQoJb3JpZ2luX2VjFAKEwrappedSecretHead==\nDaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789SecretTokenTail/+abcQ==\n")
	p, err := Resolve(context.Background(), Request{Profile: "w", Cache: CachePolicy{Disabled: true}},
		envOf(map[string]string{"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds}))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.ToLower(strings.Join(p.Warnings, "\n"))
	if strings.Contains(all, "secrettokentail") || strings.Contains(all, "wrappedsecrethead") {
		t.Errorf("a warning shows a line that may hold a secret: %q", p.Warnings)
	}
	if !strings.Contains(all, `"regin"`) || !strings.Contains(all, "a line is not a setting") {
		t.Errorf("warnings %q: want the plain key named and the other line reported", p.Warnings)
	}
}

// TestAProfilesOwnRolesKeepPersonalNamesUnderAWSRoleARN: the helper's
// "temporary" names the role AWS_ROLE_ARN asks for, not the profile's.
func TestAProfilesOwnRolesKeepPersonalNamesUnderAWSRoleARN(t *testing.T) {
	config, creds := sharedFiles(t, "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\n")
	p, err := Resolve(context.Background(), Request{Profile: "p", Cache: CachePolicy{Disabled: true}},
		envOf(map[string]string{"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_ROLE_ARN": roleB, "USER": "ana"}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range p.Hops {
		names = append(names, h.RoleARN+"="+h.SessionName)
	}
	if got, want := strings.Join(names, " "), roleA+"=tempcreds-ana "+roleB+"=temporary"; got != want {
		t.Errorf("session names %q, want %q", got, want)
	}
}

// sharedFiles writes an AWS config file and a credentials file whose
// profile k holds fake keys, and returns their paths.
func sharedFiles(t *testing.T, config string) (configPath, credentialsPath string) {
	t.Helper()
	dir := t.TempDir()
	configPath, credentialsPath = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for path, body := range map[string]string{configPath: config, credentialsPath: "[k]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n"} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return configPath, credentialsPath
}
