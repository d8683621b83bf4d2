package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/internal/syncbuf"
	"github.com/tempcreds/tempcreds/ststest"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

const (
	roleA = "arn:aws:iam::123456789012:role/A"
	roleB = "arn:aws:iam::123456789012:role/B"
	roleC = "arn:aws:iam::123456789012:role/C"
	mfa   = "arn:aws:iam::123456789012:mfa/alice"
)

// harness runs commands in-process against a fake STS on a fake clock.
type harness struct {
	t       *testing.T
	clk     *fakeclock.Clock
	sts     *ststest.Server
	user    aws.Credentials
	bob     aws.Credentials // a second user, for identity tests
	env     map[string]string
	dir     string
	mu      sync.Mutex
	prompts int
	secret  []byte
	stsSet  chain.STSSettings // the STS client's bounds and transport
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clk := fakeclock.New(t0)
	s := ststest.New(ststest.WithClock(clk))
	t.Cleanup(s.Close)
	h := &harness{t: t, clk: clk, sts: s, user: s.AddUser("alice"), dir: t.TempDir(), secret: []byte("fake-totp-secret-cli")}
	s.AddMFADevice(mfa, h.secret)
	h.env = map[string]string{
		"HOME":                        h.dir,
		"XDG_CACHE_HOME":              filepath.Join(h.dir, "cache"),
		"AWS_ENDPOINT_URL_STS":        s.URL,
		"AWS_CONFIG_FILE":             filepath.Join(h.dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(h.dir, "credentials"),
	}
	return h
}

func (h *harness) withKeys() *harness {
	h.env["AWS_STS_ACCESS_KEY"] = h.user.AccessKeyID
	h.env["AWS_STS_ACCESS_SECRET"] = h.user.SecretAccessKey
	return h
}

// fakeTTY answers an MFA prompt with the current TOTP.
type fakeTTY struct {
	h   *harness
	out bytes.Buffer
	in  io.Reader
}

func (f *fakeTTY) Read(p []byte) (int, error)  { return f.in.Read(p) }
func (f *fakeTTY) Write(p []byte) (int, error) { return f.out.Write(p) }
func (f *fakeTTY) Close() error                { return nil }

func (h *harness) run(args ...string) (stdout, stderr string, code int) {
	var out, errb syncbuf.Buffer
	app := App{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: h.clk, STS: h.stsSet,
		Getenv: func(k string) string { return h.env[k] },
		Environ: func() []string {
			var e []string
			for k, v := range h.env {
				e = append(e, k+"="+v)
			}
			return e
		},
		OpenTTY: func() (io.ReadWriteCloser, error) {
			h.mu.Lock()
			h.prompts++
			h.mu.Unlock()
			return &fakeTTY{h: h, in: strings.NewReader(ststest.TOTP(h.secret, h.clk.Now()) + "\n")}, nil
		},
	}
	code = Run(context.Background(), app, args)
	return out.String(), errb.String(), code
}

func (h *harness) writeFile(name, body string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) noSecrets(texts ...string) {
	h.t.Helper()
	for _, text := range texts {
		if strings.Contains(text, h.user.SecretAccessKey) || strings.Contains(text, "fake-session-token-") || strings.Contains(text, "fake-secret-") {
			h.t.Errorf("a secret leaked into: %q", text)
		}
	}
}

func parseJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

func TestExportUsesTheHelperVariablesAndTheCache(t *testing.T) {
	h := newHarness(t).withKeys()
	h.env["AWS_ROLE_ARN"] = roleA
	h.sts.SetMaxSessionDuration(roleA, 12*time.Hour)

	out, stderr, code := h.run("export", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := parseJSON(t, out)
	exp, _ := time.Parse(time.RFC3339, m["Expiration"].(string))
	if exp.Sub(t0) != 12*time.Hour {
		t.Errorf("session of %s, want the helper's default 12h", exp.Sub(t0))
	}
	calls := h.sts.Calls()
	if got := calls[0].Params.Get("RoleSessionName"); got != "temporary" {
		t.Errorf("session name %q, want the helper's default \"temporary\"", got)
	}
	out2, _, _ := h.run("export", "--format", "json")
	if out2 != out || h.sts.Count("AssumeRole") != 1 {
		t.Errorf("second export: %d AssumeRole calls, same output %v; want a cache hit", h.sts.Count("AssumeRole"), out2 == out)
	}
	entries, _ := filepath.Glob(filepath.Join(h.dir, "cache", "tempcreds", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v", entries)
	}
	st, _ := os.Stat(entries[0])
	if st.Mode().Perm() != 0o600 {
		t.Errorf("entry mode %v", st.Mode().Perm())
	}
	h.noSecrets(stderr)

	// Flags win over the environment.
	out3, _, _ := h.run("export", "--format", "json", "--role-arn", roleB, "--duration", "1h")
	if out3 == out || h.sts.Count("AssumeRole") != 2 {
		t.Errorf("--role-arn did not override AWS_ROLE_ARN")
	}
	if last := h.sts.Calls()[len(h.sts.Calls())-1]; last.RoleARN != roleB || last.Params.Get("DurationSeconds") != "3600" {
		t.Errorf("last call %s %s", last.RoleARN, last.Params.Get("DurationSeconds"))
	}
}

func TestTheDefaultDurationFallsBackWhenTheRoleAllowsLess(t *testing.T) {
	h := newHarness(t).withKeys()
	h.sts.SetMaxSessionDuration(roleA, time.Hour)
	out, stderr, code := h.run("export", "--format", "json", "--role-arn", roleA)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exp, _ := time.Parse(time.RFC3339, parseJSON(t, out)["Expiration"].(string))
	if exp.Sub(t0) != time.Hour || !strings.Contains(stderr, "allows less than the default 12h") {
		t.Errorf("session %s, stderr %q", exp.Sub(t0), stderr)
	}
	// Asked for explicitly, it is an error naming the limit and the flag.
	_, stderr, code = h.run("export", "--role-arn", roleA, "--duration", "2h", "--no-cache")
	if code != ExitCredentials || !strings.Contains(stderr, "MaxSessionDuration") {
		t.Errorf("explicit 2h: exit %d, %q", code, stderr)
	}
}

func TestFormats(t *testing.T) {
	h := newHarness(t).withKeys()
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"sh", func(t *testing.T, out string) {
			for _, v := range []string{"export AWS_ACCESS_KEY_ID='ASIA", "export AWS_SECRET_ACCESS_KEY='", "export AWS_SESSION_TOKEN='", "export AWS_CREDENTIAL_EXPIRATION='2026-11-22T21:00:00Z'"} {
				if !strings.Contains(out, v) {
					t.Errorf("missing %q in\n%s", v, out)
				}
			}
		}},
		{"fish", func(t *testing.T, out string) {
			if !strings.Contains(out, "set -gx AWS_SESSION_TOKEN '") {
				t.Error(out)
			}
		}},
		{"powershell", func(t *testing.T, out string) {
			if !strings.Contains(out, "$Env:AWS_ACCESS_KEY_ID = 'ASIA") {
				t.Error(out)
			}
		}},
		{"cmd", func(t *testing.T, out string) {
			if !strings.Contains(out, "set \"AWS_ACCESS_KEY_ID=ASIA") || !strings.Contains(out, "set \"AWS_CREDENTIAL_EXPIRATION=2026-11-22T21:00:00Z\"\r\n") {
				t.Error(out)
			}
		}},
		{"sts", func(t *testing.T, out string) {
			c, _ := parseJSON(t, out)["Credentials"].(map[string]any)
			if c["AccessKeyId"] == nil || c["SessionToken"] == nil || c["Expiration"] != "2026-11-22T21:00:00Z" {
				t.Error(out)
			}
		}},
		{"env", func(t *testing.T, out string) {
			if !strings.Contains(out, `AWS_CREDENTIAL_EXPIRATION="2026-11-22T21:00:00Z"`) {
				t.Error(out)
			}
		}},
		{"json", func(t *testing.T, out string) {
			m := parseJSON(t, out)
			for _, k := range []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"} {
				if m[k] == nil {
					t.Errorf("no %s", k)
				}
			}
		}},
		{"credential-process", func(t *testing.T, out string) {
			m := parseJSON(t, out)
			if m["Version"] != 1.0 || m["Expiration"] != "2026-11-22T21:00:00Z" || m["SessionToken"] == nil {
				t.Error(out)
			}
		}},
		{"ini", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "[default]\naws_access_key_id = ASIA") || !strings.Contains(out, "aws_session_token = ") {
				t.Error(out)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			out, stderr, code := h.run("export", "--no-role", "--format", tc.format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tc.check(t, out)
		})
	}
	t.Run("--out writes 0600 whatever the umask", func(t *testing.T) {
		path := filepath.Join(h.dir, "aws-temp-credentials.sh")
		_, stderr, code := h.run("export", "--no-role", "--out", path)
		st, err := os.Stat(path)
		if code != 0 || err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("exit %d %s, %v %v", code, stderr, err, st)
		}
	})
}

func TestQuotingSurvivesHostileValues(t *testing.T) {
	// Credentials AWS could never return are refused by every format.
	c := aws.Credentials{AccessKeyID: "AKIA'$(touch /tmp/x)`", SecretAccessKey: `a'b"c\d$e`, SessionToken: "t'\n'x"}
	for _, format := range Formats {
		var b bytes.Buffer
		var ve *CredentialValueError
		if err := writeCredentials(&b, format, c, ""); !errors.As(err, &ve) || b.Len() != 0 {
			t.Errorf("%s: %v, printed %q; want a *CredentialValueError and nothing printed", format, err, b.String())
		}
	}
	var ve *CredentialValueError
	if err := writeCredentials(io.Discard, "ini", aws.Credentials{AccessKeyID: "AKIAFAKE", SecretAccessKey: "x"}, "p]\n[evil"); err == nil || errors.As(err, &ve) {
		t.Errorf("a hostile --ini-profile: %v, want a usage error", err)
	}
	// The quoting itself (used for serve's settings: URLs and file paths)
	// survives hostile values.
	hostile := "a'b\"c\\d$e`id`\u2018f\u2019g\u201ah\u201bi"
	if got, err := exec.Command("sh", "-c", "x="+shQuote(hostile)+"; printf %s \"$x\"").Output(); err != nil || string(got) != hostile {
		t.Errorf("shQuote read back by sh as %q (%v)", got, err)
	}
	if got, err := exec.Command("sh", "-c", "x="+dotenvQuote(hostile)+"; printf %s \"$x\"").Output(); err != nil || string(got) != hostile {
		t.Errorf("dotenvQuote read back by sh as %q (%v)", got, err)
	}
	if want := "'a''b\"c\\d$e`id`\u2018\u2018f\u2019\u2019g\u201a\u201ah\u201b\u201bi'"; psQuote(hostile) != want {
		t.Errorf("psQuote = %s, want every PowerShell single quote doubled: %s", psQuote(hostile), want)
	}
	if want := `'a\'b"c\\d$e` + "`id`" + "\u2018f\u2019g\u201ah\u201bi'"; fishQuote(hostile) != want {
		t.Errorf("fishQuote = %s, want %s", fishQuote(hostile), want)
	}
}

// TestProfileChainOverADay: three role hops from ~/.aws/config with MFA on
// the first, exported every 5 minutes for a simulated day.
func TestProfileChainOverADay(t *testing.T) {
	h := newHarness(t)
	h.writeFile("credentials", fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
	h.writeFile("config", fmt.Sprintf(`[profile base]
region = us-east-1
[profile b]
role_arn = %s
source_profile = base
mfa_serial = %s
[profile c]
role_arn = %s
source_profile = b
[profile a]
role_arn = %s
source_profile = c
role_session_name = deploy
`, roleB, mfa, roleC, roleA))

	end := t0.Add(24 * time.Hour)
	runs := 0
	for ; h.clk.Now().Before(end); h.clk.Advance(5 * time.Minute) {
		out, stderr, code := h.run("export", "--profile", "a", "--format", "credential-process")
		if code != 0 {
			t.Fatalf("at +%s: exit %d: %s", h.clk.Now().Sub(t0), code, stderr)
		}
		m := parseJSON(t, out)
		exp, _ := time.Parse(time.RFC3339, m["Expiration"].(string))
		if left := exp.Sub(h.clk.Now()); left < 15*time.Minute {
			t.Fatalf("at +%s: handed out credentials with %s left", h.clk.Now().Sub(t0), left)
		}
		if strings.Contains(stderr, "warning") {
			t.Fatalf("unexpected warning: %s", stderr)
		}
		runs++
	}
	counts := map[string]int{}
	for _, c := range h.sts.Calls() {
		if c.ErrorCode != "" {
			t.Errorf("STS refused a call: %+v", c)
		}
		counts[c.Action+" "+c.RoleARN]++
		if c.RoleARN == roleA && c.Params.Get("RoleSessionName") != "deploy" {
			t.Errorf("role_session_name not used: %v", c.Params)
		}
	}
	t.Logf("%d exports over 24 h: %d MFA prompts, STS calls %v", runs, h.prompts, counts)
	// 12-hour MFA sessions: a prompt at the start and one when it ends.
	if h.prompts < 2 || h.prompts > 3 || counts["GetSessionToken "] != h.prompts {
		t.Errorf("MFA prompts %d, GetSessionToken calls %d; want one prompt per 12-hour MFA session", h.prompts, counts["GetSessionToken "])
	}
	// A (final; 1-hour sessions, min TTL 15 min, exports every 5 min): a
	// refresh every 50 min → 29. B and C are consulted only when A refreshes
	// and refreshed only when expired: every other A refresh → 15 each.
	if n := counts["AssumeRole "+roleA]; n < 28 || n > 30 {
		t.Errorf("AssumeRole(A) %d times, want 24h/50min ≈ 29", n)
	}
	for _, r := range []string{roleB, roleC} {
		if n := counts["AssumeRole "+r]; n < 14 || n > 16 {
			t.Errorf("AssumeRole(%s) %d times, want ≈ 15 (only when due)", r, n)
		}
	}
}

func TestMFAModeRolePromptsOnAssumeRole(t *testing.T) {
	h := newHarness(t).withKeys()
	_, stderr, code := h.run("export", "--role-arn", roleA, "--mfa-serial", mfa, "--mfa-mode", "role", "--duration", "2h")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	calls := h.sts.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRole" || calls[0].Params.Get("SerialNumber") != mfa || calls[0].Params.Get("DurationSeconds") != "7200" {
		t.Errorf("calls %+v", calls)
	}
	if h.prompts != 1 {
		t.Errorf("prompts %d", h.prompts)
	}
}

func TestExecGivesTheChildOnlyTheCredentials(t *testing.T) {
	h := newHarness(t).withKeys()
	h.env["AWS_PROFILE"] = "stale"
	h.env["AWS_ACCESS_KEY_ID"] = "AKIAFAKESTALE"
	// The alternates aws-sdk-go-v2 and Java read: a Go child would use them.
	h.env["AWS_ACCESS_KEY"] = "AKIAFAKEALTERNATE"
	h.env["AWS_SECRET_KEY"] = "fakeAlternateSecret"
	out := filepath.Join(h.dir, "env.txt")
	_, stderr, code := h.run("exec", "--no-role", "--", "sh", "-c", "env > "+out+"; exit 7")
	if code != 7 {
		t.Fatalf("exit %d, want the child's 7: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	env := string(b)
	for _, bad := range []string{"AWS_PROFILE=", "AKIAFAKESTALE", "AWS_STS_ACCESS_SECRET=", "AWS_STS_ACCESS_KEY=", h.user.SecretAccessKey,
		"AKIAFAKEALTERNATE", "fakeAlternateSecret", "AWS_ACCESS_KEY=", "AWS_SECRET_KEY="} {
		if strings.Contains(env, bad) {
			t.Errorf("the child's environment has %q", bad)
		}
	}
	for _, good := range []string{"AWS_ACCESS_KEY_ID=ASIA", "AWS_SESSION_TOKEN=", "AWS_CREDENTIAL_EXPIRATION=", "TEMPCREDS_EXEC="} {
		if !strings.Contains(env, good) {
			t.Errorf("the child's environment lacks %q", good)
		}
	}

	h.env["TEMPCREDS_EXEC"] = "session"
	_, stderr, code = h.run("exec", "--no-role", "--", "true")
	if code != ExitUsage || !strings.Contains(stderr, "--allow-nested") {
		t.Errorf("nested: exit %d %q", code, stderr)
	}
	if _, _, code = h.run("exec", "--no-role", "--allow-nested", "--", "true"); code != 0 {
		t.Errorf("--allow-nested: exit %d", code)
	}
	delete(h.env, "TEMPCREDS_EXEC")
	if _, stderr, code = h.run("exec", "--no-role", "--", "no-such-command-tempcreds"); code != ExitNotFound {
		t.Errorf("missing command: exit %d %q", code, stderr)
	}
}

func TestCacheListClearPath(t *testing.T) {
	h := newHarness(t).withKeys()
	if _, stderr, code := h.run("export", "--role-arn", roleA, "--duration", "1h"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := h.run("export", "--no-role"); code != 0 {
		t.Fatal(stderr)
	}
	out, _, code := h.run("cache", "list")
	if code != 0 || !strings.Contains(out, roleA) || !strings.Contains(out, "session-token") || !strings.Contains(out, "1h0m0s") {
		t.Errorf("cache list:\n%s", out)
	}
	h.noSecrets(out)
	path, _, _ := h.run("cache", "path")
	if strings.TrimSpace(path) != filepath.Join(h.dir, "cache", "tempcreds") {
		t.Errorf("cache path %q", path)
	}
	key := strings.Fields(strings.Split(out, "\n")[1])[0]
	if _, stderr, code := h.run("cache", "clear", key); code != 0 || !strings.Contains(stderr, "removed 1 entry") {
		t.Errorf("clear one: exit %d, %q", code, stderr)
	}
	if _, stderr, code := h.run("cache", "clear", key); code != 0 || !strings.Contains(stderr, "no entry "+key+" in the cache") || !strings.Contains(stderr, "removed 0 entries") {
		t.Errorf("clearing what is not there says so: exit %d, %q", code, stderr)
	}
	out, _, _ = h.run("cache", "list")
	if strings.Contains(out, key) || len(strings.Split(strings.TrimSpace(out), "\n")) != 2 {
		t.Errorf("after clearing %s:\n%s", key, out)
	}
	// A temp file left by a killed writer holds full credentials: clear removes it.
	tmp := filepath.Join(h.dir, "cache", "tempcreds", ".0123456789abcdef0123.json.tmp-424242")
	if err := os.WriteFile(tmp, []byte(`{"Credentials":{"SecretAccessKey":"fake"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, _ := h.run("cache", "clear"); !strings.Contains(stderr, "1 leftover temp file") {
		t.Errorf("clear all: %q, want the temp file counted", stderr)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("cache clear left a temp file of a killed writer")
	}
	out, _, _ = h.run("cache", "list")
	if len(strings.Split(strings.TrimSpace(out), "\n")) != 1 {
		t.Errorf("after clearing all:\n%s", out)
	}
}

func TestDebugRedactsSecrets(t *testing.T) {
	h := newHarness(t).withKeys()
	_, stderr, code := h.run("export", "--role-arn", roleA, "--duration", "1h", "--debug")
	if code != 0 || !strings.Contains(stderr, "tempcreds: debug:") || !strings.Contains(stderr, "AKIA…") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stderr, h.user.AccessKeyID) {
		t.Error("--debug printed a whole access key ID")
	}
	h.noSecrets(stderr)
}

func TestExecServerGivesTheChildAnEndpointNotKeys(t *testing.T) {
	h := newHarness(t).withKeys()
	out := filepath.Join(h.dir, "child.txt")
	// The child fetches its credentials from the endpoint with the token.
	py := `import os,urllib.request,json
req=urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],headers={"Authorization":os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
c=json.load(urllib.request.urlopen(req))
print(c["AccessKeyId"][:4], "AWS_ACCESS_KEY_ID" in os.environ, "AWS_STS_ACCESS_SECRET" in os.environ)`
	_, stderr, code := h.run("exec", "--server", "--role-arn", roleA, "--duration", "1h", "--", "sh", "-c", "python3 -c '"+py+"' > "+out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	if strings.TrimSpace(string(b)) != "ASIA False False" {
		t.Errorf("child saw %q, want role credentials from the endpoint and no keys in its environment", b)
	}
	h.noSecrets(stderr)
}

func TestServeRefusesBadSettings(t *testing.T) {
	h := newHarness(t).withKeys()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--no-role", "--listen", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"serve", "--no-role", "--listen", "localhost"}, "want HOST:PORT"},
		{[]string{"serve", "--no-role", "--format", "ini"}, "serve prints sh, fish, powershell, cmd, env or json"},
		{[]string{"serve", "--no-role", "--min-remaining", "soon"}, `--min-remaining "soon" is not a duration`},
	}
	for _, tc := range tests {
		_, stderr, code := h.run(tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestServeSeveralProfilesOnPaths(t *testing.T) {
	h := newHarness(t)
	h.writeFile("credentials", fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
	h.writeFile("config", fmt.Sprintf("[profile base]\nregion = us-east-1\n[profile dev]\nrole_arn = %s\nsource_profile = base\n[profile prod]\nrole_arn = %s\nsource_profile = base\n", roleA, roleB))
	a := &app{stdout: io.Discard, stderr: io.Discard, say: newMessages(io.Discard), getenv: func(k string) string { return h.env[k] }, clock: h.clk,
		openTTY: func() (io.ReadWriteCloser, error) { return nil, fmt.Errorf("no tty") }}
	s, _, err := a.startServer(context.Background(), serveOptions{Options: Options{Profile: "dev"}, Listen: "127.0.0.1:0", MinRemaining: "15m", Paths: []string{"prod=prod"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	roles := map[string]string{}
	for _, path := range []string{"/", "/profiles/prod"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL(path), nil)
		req.Header.Set("Authorization", s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ AccessKeyId string }
		_ = json.NewDecoder(resp.Body).Decode(&c)
		resp.Body.Close()
		id, _ := h.sts.Identity(c.AccessKeyId)
		roles[path] = id.RoleARN
	}
	if roles["/"] != roleA || roles["/profiles/prod"] != roleB {
		t.Errorf("served roles %v, want dev's A at / and prod's B at /profiles/prod", roles)
	}
	if _, _, err := a.startServer(context.Background(), serveOptions{Options: Options{Profile: "dev"}, Listen: "127.0.0.1:0", MinRemaining: "15m", Paths: []string{"bad"}}); err == nil || !strings.Contains(err.Error(), "must be NAME=PROFILE") {
		t.Errorf("bad --path: %v", err)
	}
}

// TestServeBlamesEachPathsOwnDuration: a refused duration is blamed on
// what set that path's duration, never on another path's setting.
func TestServeBlamesEachPathsOwnDuration(t *testing.T) {
	tests := []struct {
		name     string
		main     Options
		prodRole string
		want     string
		notWant  string
	}{
		{"the main path's --duration", Options{RoleARN: shortRole, Duration: "2h", NoCache: true}, roleA,
			"(the duration was set by --duration)", "duration_seconds"},
		{"the --path profile's duration_seconds", Options{RoleARN: roleA, Duration: "1h", NoCache: true}, shortRole,
			`(the duration was set by duration_seconds of profile "prod")`, "set by --duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t).withKeys()
			h.sts.SetMaxSessionDuration(shortRole, time.Hour)
			h.writeFile("credentials", fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
			h.writeFile("config", fmt.Sprintf("[profile prod]\nrole_arn = %s\nsource_profile = base\nduration_seconds = 7200\n", tc.prodRole))
			a := &app{stdout: io.Discard, stderr: io.Discard, say: newMessages(io.Discard), getenv: func(k string) string { return h.env[k] }, clock: h.clk}
			s, _, err := a.startServer(context.Background(), serveOptions{Options: tc.main, Listen: "127.0.0.1:0", MinRemaining: "15m", Paths: []string{"prod=prod"}})
			if err == nil {
				_ = s.Shutdown(context.Background())
				t.Fatal("served a duration the role does not allow")
			}
			if msg := a.errorMessage(err); !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.notWant) {
				t.Errorf("%q; want %q, and not %q", msg, tc.want, tc.notWant)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAStaleAWSProfileDoesNotBreakASourceRankedAboveIt: with the helper's
// keys (which win over AWS_PROFILE), an AWS_PROFILE naming no profile does
// not stop the STS client from loading: its settings come from [default].
func TestAStaleAWSProfileDoesNotBreakASourceRankedAboveIt(t *testing.T) {
	h := newHarness(t).withKeys()
	t.Setenv("AWS_PROFILE", "nonexistent")
	h.env["AWS_PROFILE"] = "nonexistent"
	h.writeFile("config", "[default]\nregion = us-east-1\n")
	if _, stderr, code := h.run("export", "--role-arn", roleA, "--duration", "1h"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
