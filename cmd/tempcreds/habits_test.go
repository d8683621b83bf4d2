//go:build unix

package main

// aws-vault's everyday habits, through the built binary: exec PROFILE,
// exec opening a shell, the child's region and profile, exec --server
// keeping the profile's settings (read by the AWS CLI, boto3 and
// aws-sdk-go-v2 in the child), cache list and clear by profile, profiles,
// completion, typo suggestions and the man page.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds/ststest"
)

const (
	hubRole = "arn:aws:iam::123456789012:role/Hub"
	devRole = "arn:aws:iam::123456789012:role/Dev"
)

// vaultHome is a home with a keys profile (base), a role on it (hub) and a
// role on that (dev) in eu-west-1, the way an aws-vault user writes them,
// and keys in [default] that must never reach a child of exec --server.
func vaultHome(t *testing.T, s *ststest.Server) (environ []string, home, secret string) {
	t.Helper()
	user := s.AddUser("alice")
	decoy := s.AddUser("decoy")
	home = t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeOut(t, filepath.Join(home, ".aws"), "credentials", "[default]\naws_access_key_id = "+decoy.AccessKeyID+
		"\naws_secret_access_key = "+decoy.SecretAccessKey+"\n\n[base]\naws_access_key_id = "+user.AccessKeyID+
		"\naws_secret_access_key = "+user.SecretAccessKey+"\n")
	writeOut(t, filepath.Join(home, ".aws"), "config", `[default]
region = ap-south-1
role_arn = arn:aws:iam::123456789012:role/DefaultRoleThatMustNotWin
source_profile = base

[profile base]
region = eu-west-1

[profile hub]
role_arn = `+hubRole+`
source_profile = base

[profile dev]
role_arn = `+devRole+`
source_profile = hub
region = eu-west-1
output = text
retry_mode = standard
max_attempts = 7
s3 =
  addressing_style = path
`)
	environ = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "USER=alice.o'neil", "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_EC2_METADATA_DISABLED=true"}
	return environ, home, user.SecretAccessKey
}

// devExported is vaultHome after one `export --profile dev`: dev's
// session cached, the fake STS closed when the test ends.
func devExported(t *testing.T) (*ststest.Server, []string) {
	t.Helper()
	s := ststest.New()
	t.Cleanup(s.Close)
	e, _, _ := vaultHome(t, s)
	if _, stderr, err := run(t, e, binary, "export", "--profile", "dev"); err != nil {
		t.Fatal(err, stderr)
	}
	return s, e
}

// childVars runs the binary with args and a child printing its
// environment, and returns the child's variables.
func childVars(t *testing.T, e []string, args ...string) map[string]string {
	t.Helper()
	out, stderr, err := run(t, e, binary, args...)
	if err != nil {
		t.Fatalf("tempcreds %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vars[k] = v
		}
	}
	return vars
}

func TestExecTakesTheProfileAsAWSVaultDoes(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, _, _ := vaultHome(t, s)
	for _, args := range [][]string{
		{"exec", "dev", "--", "env"},
		{"exec", "dev", "env"},
		{"exec", "--profile", "dev", "--", "env"},
		{"exec", "--profile", "dev", "env"},
		{"exec", "dev", "--no-cache", "--", "env"}, // flags after the profile, as aws-vault takes them
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			v := childVars(t, e, args...)
			if v["AWS_ACCESS_KEY_ID"] == "" || v["AWS_SESSION_TOKEN"] == "" {
				t.Fatalf("the child got no credentials: %v", v)
			}
			// The profile's region, not the default profile's nor us-east-1.
			if v["AWS_REGION"] != "eu-west-1" || v["AWS_DEFAULT_REGION"] != "eu-west-1" {
				t.Errorf("AWS_REGION %q, AWS_DEFAULT_REGION %q; want the profile's eu-west-1", v["AWS_REGION"], v["AWS_DEFAULT_REGION"])
			}
			if v["TEMPCREDS_PROFILE"] != "dev" {
				t.Errorf("TEMPCREDS_PROFILE %q, want dev", v["TEMPCREDS_PROFILE"])
			}
			if _, ok := v["AWS_PROFILE"]; ok {
				t.Errorf("AWS_PROFILE reached the child: %q", v["AWS_PROFILE"])
			}
		})
	}
	// --region and AWS_REGION win over the profile's, in the child too.
	if v := childVars(t, append(e, "AWS_REGION=ca-central-1"), "exec", "dev", "--", "env"); v["AWS_REGION"] != "ca-central-1" || v["AWS_DEFAULT_REGION"] != "ca-central-1" {
		t.Errorf("with AWS_REGION set, the child got %q/%q", v["AWS_REGION"], v["AWS_DEFAULT_REGION"])
	}
	if v := childVars(t, e, "exec", "dev", "--region", "sa-east-1", "--", "env"); v["AWS_REGION"] != "sa-east-1" {
		t.Errorf("with --region, the child got %q", v["AWS_REGION"])
	}
}

func TestExecWithoutACommandOpensTheShell(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, home, _ := vaultHome(t, s)
	shell := writeOut(t, home, "fake-shell", "#!/bin/sh\necho \"shell args=$# profile=$TEMPCREDS_PROFILE key=${AWS_ACCESS_KEY_ID:+set}\"\nexit 7\n")
	if err := os.Chmod(shell, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"exec", "dev"}, {"exec", "--profile", "dev"}, {"exec", "dev", "--"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, stderr, err := run(t, append(e, "SHELL="+shell), binary, args...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 7 {
				t.Fatalf("exit %v, want the shell's 7\n%s", err, stderr)
			}
			if strings.TrimSpace(out) != "shell args=0 profile=dev key=set" {
				t.Errorf("the shell saw %q", out)
			}
			if !strings.Contains(stderr, "starting "+shell) {
				t.Errorf("no word that a shell was started: %q", stderr)
			}
		})
	}
}

// goSettingsConsumer (TestMain) is aws-sdk-go-v2 in the child of exec
// --server: what config.LoadDefaultConfig resolves.
const goSettingsEnv = "TEMPCREDS_GO_SETTINGS"

func TestExecServerChildKeepsTheProfileSettingsAndOnlyTheServerCredentials(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, _, _ := vaultHome(t, s)
	python := boto3Python(t)
	self, _ := os.Executable()
	// Each consumer prints its region and who it is; the fake STS says who
	// signed: the Dev role's session, served by tempcreds, never the
	// [default] keys or role.
	consumers := map[string][]string{
		"AWS CLI": {"sh", "-c", `printf 'region=%s\noutput=%s\n' "$(aws configure get region)" "$(aws configure get output)";` +
			`aws sts get-caller-identity --endpoint-url "$STS" --query Arn --output text | sed 's/^/arn=/';` +
			`aws configure list | grep -E '^ *access_key' | sed 's/^ */source=/'`},
		"boto3": {python, "-c", `import boto3, os
s = boto3.Session()
c = s.get_credentials()
print("region=" + s.region_name)
print("method=" + c.method)
print("arn=" + s.client("sts", endpoint_url=os.environ["STS"]).get_caller_identity()["Arn"])
print("max_attempts=" + str(s._session.get_config_variable("max_attempts")))
print("addressing_style=" + str((s._session.get_scoped_config().get("s3") or {}).get("addressing_style")))`},
		"aws-sdk-go-v2": {self, "-test.run", "^$"},
	}
	for name, argv := range consumers {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"exec", "--server", "dev", "--"}, argv...)
			v := childVars(t, append(e, "STS="+s.URL, goSettingsEnv+"=1"), args...)
			if v["region"] != "eu-west-1" {
				t.Errorf("%s resolved region %q, want the profile's eu-west-1 (%v)", name, v["region"], v)
			}
			if !strings.Contains(v["arn"], ":assumed-role/Dev/") {
				t.Errorf("%s signed as %q, want the Dev role served by tempcreds (%v)", name, v["arn"], v)
			}
			switch name {
			case "AWS CLI":
				if v["output"] != "text" {
					t.Errorf("the AWS CLI's output setting is %q, want the profile's text", v["output"])
				}
				if !strings.Contains(v["source"], "container-role") {
					t.Errorf("the AWS CLI's credentials came from %q, want the container endpoint", v["source"])
				}
			case "boto3":
				if v["method"] != "container-role" || v["max_attempts"] != "7" || v["addressing_style"] != "path" {
					t.Errorf("boto3: %v; want container-role credentials, the profile's max_attempts 7 and s3 addressing_style path", v)
				}
			case "aws-sdk-go-v2":
				if v["max_attempts"] != "7" || v["retry_mode"] != "standard" {
					t.Errorf("aws-sdk-go-v2: %v; want the profile's retry_mode standard and max_attempts 7", v)
				}
			}
		})
	}
}

func TestProfileDefaultsFollowTheAWSCLIAndTheHelperKeepsItsOwn(t *testing.T) {
	s, e := devExported(t)
	personal := regexp.MustCompile(`^tempcreds-alice.o-neil-[0-9]{10}$`)
	for _, c := range s.Calls() {
		if c.Action != "AssumeRole" {
			continue
		}
		if name := c.Params.Get("RoleSessionName"); !personal.MatchString(name) {
			t.Errorf("%s: session name %q, want tempcreds-USER-UNIXTIME", c.RoleARN, name)
		}
		if c.RoleARN == devRole && c.Params.Get("DurationSeconds") != "3600" {
			t.Errorf("the profile role asked for %q seconds, want the AWS CLI's 3600", c.Params.Get("DurationSeconds"))
		}
	}
	// aws-sts-helper's variables keep its defaults: temporary, 12 hours.
	helper := s.AddUser("helper")
	he := append(e, "AWS_STS_ACCESS_KEY="+helper.AccessKeyID, "AWS_STS_ACCESS_SECRET="+helper.SecretAccessKey, "AWS_ROLE_ARN="+devRole)
	before := len(s.Calls())
	if _, stderr, err := run(t, he, binary, "export"); err != nil {
		t.Fatal(err, stderr)
	}
	calls := s.Calls()[before:]
	if len(calls) != 1 || calls[0].Params.Get("RoleSessionName") != "temporary" || calls[0].Params.Get("DurationSeconds") != "43200" {
		t.Errorf("the helper's interface asked %+v; want one AssumeRole named temporary for 43200 s", calls)
	}
}

func TestCacheListAndClearByProfile(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, _, secret := vaultHome(t, s)
	for _, p := range []string{"dev", "hub"} {
		if _, stderr, err := run(t, e, binary, "export", "--profile", p); err != nil {
			t.Fatal(err, stderr)
		}
	}
	list := func() string {
		out, stderr, err := run(t, e, binary, "cache", "list")
		if err != nil {
			t.Fatal(err, stderr)
		}
		return out
	}
	out := list()
	if !strings.HasPrefix(out, "KEY") || !strings.Contains(strings.Fields(strings.Split(out, "\n")[0])[1], "PROFILE") {
		t.Fatalf("cache list has no PROFILE column:\n%s", out)
	}
	if n := strings.Count(out, " dev "); n != 2 {
		t.Errorf("want dev's two hops listed as dev, got %d:\n%s", n, out)
	}
	profiles, _, err := run(t, e, binary, "profiles")
	if err != nil || !regexp.MustCompile(`dev +role +base > hub > dev +[0-9]+[hm]`).MatchString(profiles) ||
		!regexp.MustCompile(`base +keys +base +-`).MatchString(profiles) || strings.Contains(profiles, secret) {
		t.Errorf("profiles (%v):\n%s", err, profiles)
	}
	// Clearing dev removes every hop of its chain (its hub hop is its own
	// entry: hub as a final role lasts 1 h, a key of its own); hub's own
	// entry stays.
	_, stderr, err := run(t, e, binary, "cache", "clear", "dev")
	if err != nil || !strings.Contains(stderr, "removed 2 entries") {
		t.Fatalf("cache clear dev: %v %q", err, stderr)
	}
	if out := list(); strings.Contains(out, " dev ") || strings.Count(out, hubRole) != 1 || !strings.Contains(out, " hub ") {
		t.Errorf("after cache clear dev, want hub's own entry alone:\n%s", out)
	}
	if _, stderr, err := run(t, e, binary, "export", "--profile", "dev"); err != nil {
		t.Fatal(err, stderr)
	}
	key := ""
	for _, line := range strings.Split(list(), "\n") {
		if f := strings.Fields(line); len(f) > 3 && f[1] == "dev" && f[3] == devRole {
			key = f[0] // dev's final hop
		}
	}
	if _, stderr, err := run(t, e, binary, "cache", "clear", key[:6]); err != nil || !strings.Contains(stderr, "removed 1 entry") {
		t.Errorf("cache clear by a unique prefix: %v %q", err, stderr)
	}
	if _, stderr, err := run(t, e, binary, "cache", "clear", "--profile", "dev"); err != nil || !strings.Contains(stderr, "removed 1 entry") {
		t.Errorf("cache clear --profile dev: %v %q", err, stderr)
	}
	if _, stderr, err := run(t, e, binary, "cache", "clear"); err != nil || !strings.Contains(stderr, "removed 1 entry") {
		t.Errorf("cache clear (hub's entry left): %v %q", err, stderr)
	}
	locks, _ := filepath.Glob(filepath.Join(filepathOf(e, "XDG_CACHE_HOME"), "tempcreds", "*.lock"))
	if len(locks) != 0 {
		t.Errorf("lock files left after clearing every entry: %v", locks)
	}
}

func filepathOf(e []string, name string) string {
	for _, kv := range e {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

func TestCompletionSuggestionsAndManPage(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, home, _ := vaultHome(t, s)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "exec", ""}, []string{"base", "default", "dev", "hub"}},
		{[]string{"__complete", "export", "--profile", "d"}, []string{"default", "dev"}},
		{[]string{"__complete", "serve", "--profile", "h"}, []string{"hub"}},
		{[]string{"__complete", "export", "--format", "c"}, []string{"cmd", "credential-process"}},
		{[]string{"__complete", "serve", "--format", "j"}, []string{"json"}},
		{[]string{"__complete", "cache", "clear", "h"}, []string{"hub"}},
		{[]string{"__complete", "export", "--mfa-mode", ""}, []string{"session", "role"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, stderr, err := run(t, e, binary, c.args...)
			if err != nil {
				t.Fatal(err, stderr)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.HasPrefix(l, ":") {
					got = append(got, l)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("completions %q, want %q", got, c.want)
			}
		})
	}
	if _, stderr, err := run(t, e, binary, "exprot"); err == nil || !strings.Contains(stderr, "did you mean export?") {
		t.Errorf("a typo: %v %q", err, stderr)
	}
	page, _, err := run(t, e, binary, "man")
	if err != nil || !strings.HasPrefix(page, ".nh\n.TH \"TEMPCREDS\" \"1\"") || !strings.Contains(page, "tempcreds-exec(1)") {
		t.Errorf("man (%v):\n%.300s", err, page)
	}
	dir := filepath.Join(home, "man1")
	if _, stderr, err := run(t, e, binary, "man", "--dir", dir); err != nil {
		t.Fatal(err, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "tempcreds-exec.1")); err != nil || !strings.Contains(string(b), "aws-vault") {
		t.Errorf("man --dir: tempcreds-exec.1: %v", err)
	}
}

// goSettings prints what aws-sdk-go-v2 resolves in a child of exec
// --server: region, retry settings, and who signs a GetCallerIdentity.
func goSettings() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Println("error=" + err.Error())
		return
	}
	fmt.Printf("region=%s\nmax_attempts=%d\nretry_mode=%s\n", cfg.Region, cfg.RetryMaxAttempts, cfg.RetryMode)
	out, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(os.Getenv("STS")) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println("error=" + err.Error())
		return
	}
	fmt.Println("arn=" + aws.ToString(out.Arn))
}

// TestServeStartsFromACachedSession: serve and exec --server use a cached
// final session that still meets the server's freshness rule instead of
// calling STS at every start.
func TestServeStartsFromACachedSession(t *testing.T) {
	s, e := devExported(t)
	before := s.Count("AssumeRole")
	if _, stderr, err := run(t, e, binary, "exec", "--server", "dev", "--", "true"); err != nil {
		t.Fatal(err, stderr)
	}
	vars, _ := startServeIn(t, e, "--profile", "dev")
	if vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == "" {
		t.Fatalf("serve printed %v", vars)
	}
	if n := s.Count("AssumeRole") - before; n != 0 {
		t.Errorf("exec --server and serve made %d AssumeRole calls with a 1-hour session cached; want 0", n)
	}
	// A cached session with less left than the server's refresh point
	// (--min-remaining 15m + 3m + a minute) is not reused: a 15-minute one.
	if _, stderr, err := run(t, e, binary, "export", "--profile", "dev", "--duration", "15m"); err != nil {
		t.Fatal(err, stderr)
	}
	before = s.Count("AssumeRole")
	if _, stderr, err := run(t, e, binary, "exec", "--server", "dev", "--duration", "15m", "--", "true"); err != nil {
		t.Fatal(err, stderr)
	}
	if n := s.Count("AssumeRole") - before; n == 0 {
		t.Errorf("with a 15-minute session cached, no AssumeRole call; want a fresh session (it is too short to start a server from)")
	}
}

// TestACredentialProcessCallingTempcredsForItsOwnProfileIsRefused: the
// loop is named at once, instead of a 60-second wait on our own lock.
func TestACredentialProcessCallingTempcredsForItsOwnProfileIsRefused(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, home, _ := vaultHome(t, s)
	writeOut(t, filepath.Join(home, ".aws"), "config", "[profile loop]\ncredential_process = "+binary+" export --profile loop --format credential-process\n")
	_, stderr, err := run(t, e, binary, "export", "--profile", "loop")
	if err == nil || !strings.Contains(stderr, `"loop" is already being resolved`) || !strings.Contains(stderr, "a loop") {
		t.Errorf("a credential_process loop: %v %q", err, stderr)
	}
}

// TestServeRemovesItsTokenFileOnACleanStop: the token is a credential;
// its file does not outlive the server.
func TestServeRemovesItsTokenFileOnACleanStop(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, home, _ := vaultHome(t, s)
	tokenFile := filepath.Join(home, "token")
	cmd := exec.Command(binary, "serve", "--profile", "dev", "--token-file", tokenFile, "--format", "json")
	cmd.Env = e
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var vars map[string]string
	if err := json.NewDecoder(out).Decode(&vars); err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("serve printed no settings: %v", err)
	}
	if _, err := os.Stat(tokenFile); err != nil {
		t.Fatalf("no token file while serving: %v", err)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve on SIGTERM: %v", err)
	}
	if _, err := os.Stat(tokenFile); err == nil {
		t.Error("the token file outlived the server")
	}
}

// TestWithoutDashDashTheCommandKeepsItsFlags: after the profile, every
// word is the command's (attack round: exec dev printenv X --role-arn Y
// built a chain from the command's flag).
func TestWithoutDashDashTheCommandKeepsItsFlags(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	e, _, _ := vaultHome(t, s)
	out, stderr, err := run(t, e, binary, "exec", "dev", "sh", "-c", `echo "args=$0 $1 region=$AWS_REGION"`, "--region=us-west-2")
	if err != nil || strings.TrimSpace(out) != "args=--region=us-west-2  region=eu-west-1" {
		t.Errorf("exec dev sh -c ... --region=us-west-2: %q %v %s; want the flag given to the command, the profile's region kept", out, err, stderr)
	}
	before := s.Count("AssumeRole")
	out, stderr, err = run(t, e, binary, "exec", "--no-cache", "dev", "printf", "%s\n", "--role-arn", "arn:aws:iam::123456789012:role/Other")
	if err != nil || !strings.Contains(out, "--role-arn") {
		t.Errorf("the command's --role-arn: %q %v %s; want it passed to the command", out, err, stderr)
	}
	for _, c := range s.Calls()[before:] {
		if strings.Contains(c.RoleARN, "Other") {
			t.Errorf("the command's --role-arn was taken as tempcreds': %s was assumed", c.RoleARN)
		}
	}
}
