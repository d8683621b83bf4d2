//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

// TestOneHumanStepPerHost: ten processes at once, each for a different
// role above the same expired IAM Identity Center session, make exactly
// one token refresh (CreateToken) and all succeed; ten processes at once
// needing the same MFA session make exactly one MFA prompt.
func TestOneHumanStepPerHost(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	hu := ststest.NewHuman(s)
	defer hu.Close()
	t.Run("one SSO token refresh", func(t *testing.T) {
		home := t.TempDir()
		var cfg strings.Builder
		cfg.WriteString("[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n" +
			"[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n")
		for i := range 10 {
			fmt.Fprintf(&cfg, "[profile r%d]\nrole_arn = arn:aws:iam::123456789012:role/R%d\nsource_profile = sso\n", i, i)
		}
		writeOut(t, home, "config", cfg.String())
		must(t, hu.WriteSSOToken(home, "corp", "fake-access-old", "fake-refresh-1", time.Now().Add(-time.Minute)))
		e := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
			"AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_ENDPOINT_URL_SSO=" + hu.URL,
			"AWS_ENDPOINT_URL_SSO_OIDC=" + hu.URL}
		exportAtOnce(t, 10, e, func(i int) []string { return []string{"--profile", fmt.Sprintf("r%d", i), "--duration", "1h"} })
		if n := hu.Count("CreateToken"); n != 1 {
			t.Errorf("%d SSO token refreshes for 10 processes, want 1", n)
		}
	})
	t.Run("one MFA prompt", func(t *testing.T) {
		user := s.AddUser("mfa-user")
		secret := []byte("fake-totp-secret-human")
		serial := "arn:aws:iam::123456789012:mfa/human"
		s.AddMFADevice(serial, secret)
		home := t.TempDir()
		count := filepath.Join(home, "prompts")
		e := append(env(t, s, user), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
		code := ststest.TOTP(secret, time.Now())
		exportAtOnce(t, 10, e, func(i int) []string {
			return []string{"--mfa-serial", serial, "--mfa-command", "echo run >> " + count + "; echo " + code,
				"--role-arn", fmt.Sprintf("arn:aws:iam::123456789012:role/M%d", i)}
		})
		if n := runs(t, count); n != 1 {
			t.Errorf("%d MFA prompts for 10 processes, want 1", n)
		}
	})
}

// exportAtOnce runs n exports at once, export i with args(i), and fails
// the test for each that fails.
func exportAtOnce(t *testing.T, n int, e []string, args func(i int) []string) {
	t.Helper()
	errs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, stderr, err := run(t, e, binary, append([]string{"export"}, args(i)...)...); err != nil {
				errs[i] = fmt.Sprintf("%v: %s", err, stderr)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != "" {
			t.Errorf("process %d: %s", i, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ssoHome is an environment whose ~/.aws holds an IAM Identity Center
// profile "sso" with a valid token and a role profile "dev" above it;
// XDG_CACHE_HOME is its third entry (as env's).
func ssoHome(t *testing.T, s *ststest.Server, hu *ststest.Human) []string {
	home := t.TempDir()
	writeOut(t, home, "config", "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n"+
		"[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n"+
		"[profile dev]\nrole_arn = "+role+"\nsource_profile = sso\n")
	must(t, hu.WriteSSOToken(home, "corp", "fake-access-kill", "", time.Now().Add(time.Hour)))
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_ENDPOINT_URL_STS=" + s.URL,
		"AWS_ENDPOINT_URL_SSO=" + hu.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + hu.URL}
}
