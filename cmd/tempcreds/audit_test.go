//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/syncbuf"
	"github.com/tempcreds/tempcreds/ststest"
)

// TestSecretsAudit runs every command with --debug, with and without
// injected STS failures, using recognisable fake secrets, and asserts that
// no secret key or session token appears in stderr, in error messages, or in
// the argv of the processes tempcreds starts — only in export's output and
// the server's response body, where they are meant to be.
func TestSecretsAudit(t *testing.T) {
	t.Parallel()
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("audit")
	dir := t.TempDir()
	argvFile := filepath.Join(dir, "argv")
	// A token command that records its own argv (what `ps` would show).
	// It prints a fake JWT: the web identity token must never leak either.
	const webToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlLWF1ZGl0In0.ZmFrZS1zaWduYXR1cmUtZm9yLXRlc3Rz"
	const mfaCode = "493817"
	tokenCmd := fmt.Sprintf(`tr '\0' ' ' < /proc/$$/cmdline >> %s; echo %s`, argvFile, webToken)
	env := func() []string {
		return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
			"AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
			"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	}
	role := "arn:aws:iam::123456789012:role/Audit"
	// A source process printing recognisable fake credentials, and one
	// printing them as malformed JSON (the SDK's processcreds would echo it).
	const processSecret = "fake-process-secret-audit-9f3c1a7b"
	procOK := fmt.Sprintf(`echo '{"Version":1,"AccessKeyId":"ASIAFAKEAUDITPROC","SecretAccessKey":"%s","SessionToken":"fake-process-token-audit-77e1"}'`, processSecret)
	procBad := fmt.Sprintf(`echo '{"Version":1,"AccessKeyId":"ASIAFAKEAUDITPROC","SecretAccessKey":"%s"'`, processSecret)
	commands := [][]string{
		{"export", "--debug", "--role-arn", role, "--duration", "1h"},
		{"export", "--debug", "--no-role", "--format", "json"},
		{"export", "--debug", "--via", "arn:aws:iam::123456789012:role/Hub", "--role-arn", role, "--format", "credential-process"},
		{"export", "--debug", "--role-arn", role, "--duration", "1h", "--no-cache", "--out", filepath.Join(dir, "out.sh")},
		{"export", "--debug", "--web-identity-token-command", tokenCmd, "--role-arn", role},
		{"exec", "--debug", "--role-arn", role, "--duration", "1h", "--", "sh", "-c", "tr '\\0' ' ' < /proc/$$/cmdline >> " + argvFile},
		{"exec", "--debug", "--server", "--role-arn", role, "--duration", "1h", "--", "sh", "-c", "tr '\\0' ' ' < /proc/$$/cmdline >> " + argvFile},
		{"export", "--debug", "--no-role", "--mfa-serial", "arn:aws:iam::123456789012:mfa/audit", "--mfa-code", mfaCode, "--no-cache"},
		{"export", "--debug", "--source-process", procOK, "--role-arn", role, "--duration", "1h"},
		{"export", "--debug", "--source-process", procBad},
		{"cache", "list"},
		{"version"},
	}
	faults := []struct {
		name  string
		fault *ststest.Fault
	}{
		{"no fault", nil},
		{"ExpiredToken", &ststest.Fault{Code: "ExpiredToken"}},
		{"AccessDenied", &ststest.Fault{Status: 403, Code: "AccessDenied"}},
		{"Throttling", &ststest.Fault{Code: "Throttling"}},
		{"503", &ststest.Fault{Status: 503}},
		{"malformed XML", &ststest.Fault{Malformed: true}},
		{"truncated XML", &ststest.Fault{Truncated: true}},
		{"connection reset", &ststest.Fault{Reset: true}},
		{"STS echoes every field and header", &ststest.Fault{Echo: true}},
	}
	var runs, failures int
	for _, f := range faults {
		cmds := commands
		if f.fault != nil {
			cmds = [][]string{commands[0], commands[2], commands[4], commands[5], commands[7], commands[8]} // the ones that call STS
		}
		for _, args := range cmds {
			if f.fault != nil {
				fault := *f.fault
				s.SetFaultFunc(func(string) *ststest.Fault { return &fault })
			} else {
				s.SetFaultFunc(nil)
			}
			_ = os.RemoveAll(filepath.Join(dir, "cache"))
			_, stderr, err := run(t, env(), binary, args...)
			runs++
			if err != nil {
				failures++
			}
			for _, secret := range append(s.Secrets(), user.SecretAccessKey, webToken, mfaCode, processSecret, "fake-process-token-audit-77e1") {
				if strings.Contains(stderr, secret) {
					t.Errorf("%s, tempcreds %v: a secret leaked into stderr:\n%s", f.name, args, stderr)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("%s, tempcreds %v: panicked:\n%s", f.name, args, stderr)
			}
		}
	}
	argv, _ := os.ReadFile(argvFile)
	if len(argv) == 0 {
		t.Fatal("no child argv was recorded: the audit did not reach the children")
	}
	for _, secret := range append(s.Secrets(), user.SecretAccessKey) {
		if strings.Contains(string(argv), secret) {
			t.Errorf("a secret is in a child's argv: %s", argv)
		}
	}
	// An IAM Identity Center source: its access, refresh and client secrets
	// and the role credentials never reach stderr, valid or refused.
	t.Run("sso source", func(t *testing.T) {
		s.SetFaultFunc(nil)
		hu := ststest.NewHuman(s)
		defer hu.Close()
		home := t.TempDir()
		writeOut(t, home, "config", "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n"+
			"[sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n"+
			"[profile dev]\nrole_arn = "+role+"\nsource_profile = sso\n")
		ssoSecrets := []string{"fake-access-audit-4e1d", "fake-refresh-audit-9a2c", "fake-client-secret"}
		e := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
			"AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_ENDPOINT_URL_SSO=" + hu.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + hu.URL}
		for _, granted := range []bool{true, false} {
			must(t, hu.WriteSSOToken(home, "corp", ssoSecrets[0], ssoSecrets[1], time.Now().Add(-time.Minute)))
			if !granted {
				hu.Revoke(ssoSecrets...)
			}
			_, stderr, err := run(t, e, binary, "export", "--debug", "--no-cache", "--profile", "dev", "--duration", "1h")
			if granted != (err == nil) {
				t.Errorf("granted %v: %v\n%s", granted, err, stderr)
			}
			for _, secret := range append(s.Secrets(), ssoSecrets...) {
				if strings.Contains(stderr, secret) {
					t.Errorf("granted %v: a secret leaked into stderr:\n%s", granted, stderr)
				}
			}
		}
	})
	// serve --debug under failures: logs carry no secret; only the body does.
	t.Run("serve", func(t *testing.T) {
		s.SetFaultFunc(nil)
		cmd := exec.Command(binary, "serve", "--debug", "--role-arn", role, "--duration", "1h", "--format", "json")
		cmd.Env = env()
		var stderr syncbuf.Buffer
		cmd.Stderr = &stderr
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
		var vars map[string]string
		if err := json.NewDecoder(bufio.NewReader(out)).Decode(&vars); err != nil {
			t.Fatal(err)
		}
		s.SetFaultFunc(func(string) *ststest.Fault { return &ststest.Fault{Echo: true} })
		var bodies strings.Builder
		for _, token := range []string{vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"], "wrong"} {
			req, _ := http.NewRequest(http.MethodGet, vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], nil)
			req.Header.Set("Authorization", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				bodies.Write(b)
			}
		}
		time.Sleep(50 * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		for _, secret := range append(s.Secrets(), user.SecretAccessKey, vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
			if strings.Contains(stderr.String(), secret) {
				t.Errorf("serve's log holds a secret:\n%s", stderr.String())
			}
			if strings.Contains(bodies.String(), secret) {
				t.Errorf("serve's error answers hold a secret:\n%s", bodies.String())
			}
		}
	})
	t.Logf("secrets audit: %d runs (%d failing as injected), %d secrets checked, 0 found", runs, failures, len(s.Secrets())+1)
}
