package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/ststest"
)

// identityForm is one way of giving the source, set up for identity A or B.
type identityForm struct {
	name string
	// use configures the harness (and the process environment, which the
	// SDK reads) for identity 0 (A) or 1 (B), and returns export's args.
	use func(t *testing.T, h *harness, who int) []string
}

// TestACacheEntryIsOnlyReturnedToTheIdentityThatMadeIt is the property test
// of the cache's identity invariant: for every way a source can be given
// (flags, each environment variable and its alternates, profiles, files,
// token files and commands, relative paths), crossed with a change of
// identity A → B → A: the same identity always hits (no STS call), a
// different identity never gets the other's entry (a new STS call whose
// credentials derive from B).
func TestACacheEntryIsOnlyReturnedToTheIdentityThatMadeIt(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwt := func(h *harness, sub string) string {
		return ststest.SignJWT(key, ststest.Claims{Sub: sub, Aud: "sts.amazonaws.com", Exp: h.clk.Now().Add(24 * time.Hour).Unix()})
	}
	subs := []string{"admin-A", "readonly-B"}
	// keys returns identity who's long-term keys.
	keys := func(h *harness, who int) aws.Credentials {
		if who == 0 {
			return h.user
		}
		return h.bob
	}
	setEnv := func(t *testing.T, h *harness, kv ...string) {
		for i := 0; i < len(kv); i += 2 {
			h.env[kv[i]] = kv[i+1]
			t.Setenv(kv[i], kv[i+1])
		}
	}
	credentialsFile := func(h *harness, who int, profile string) {
		k := keys(h, who)
		h.writeFile("credentials", fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, k.AccessKeyID, k.SecretAccessKey))
	}
	forms := []identityForm{
		{"AWS_STS_ACCESS_KEY and AWS_STS_ACCESS_SECRET (the helper's)", func(t *testing.T, h *harness, who int) []string {
			k := keys(h, who)
			setEnv(t, h, "AWS_STS_ACCESS_KEY", k.AccessKeyID, "AWS_STS_ACCESS_SECRET", k.SecretAccessKey)
			return []string{"--role-arn", roleA}
		}},
		{"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the SDK's default chain)", func(t *testing.T, h *harness, who int) []string {
			k := keys(h, who)
			setEnv(t, h, "AWS_ACCESS_KEY_ID", k.AccessKeyID, "AWS_SECRET_ACCESS_KEY", k.SecretAccessKey)
			return []string{"--role-arn", roleA}
		}},
		{"AWS_ACCESS_KEY and AWS_SECRET_KEY (the SDK's alternate names)", func(t *testing.T, h *harness, who int) []string {
			k := keys(h, who)
			setEnv(t, h, "AWS_ACCESS_KEY", k.AccessKeyID, "AWS_SECRET_KEY", k.SecretAccessKey)
			return []string{"--role-arn", roleA}
		}},
		{"[default] in the credentials file (the SDK's default chain)", func(t *testing.T, h *harness, who int) []string {
			credentialsFile(h, who, "default")
			return []string{"--role-arn", roleA}
		}},
		{"--profile with keys in the credentials file", func(t *testing.T, h *harness, who int) []string {
			credentialsFile(h, who, "dev")
			return []string{"--profile", "dev", "--role-arn", roleA}
		}},
		{"AWS_PROFILE with keys in the credentials file", func(t *testing.T, h *harness, who int) []string {
			credentialsFile(h, who, "dev")
			setEnv(t, h, "AWS_PROFILE", "dev")
			return []string{"--role-arn", roleA}
		}},
		{"--web-identity-token-file rewritten at the same path", func(t *testing.T, h *harness, who int) []string {
			p := h.writeFile("token", jwt(h, subs[who]))
			return []string{"--web-identity-token-file", p, "--role-arn", roleA}
		}},
		{"AWS_WEB_IDENTITY_TOKEN_FILE rewritten at the same path", func(t *testing.T, h *harness, who int) []string {
			p := h.writeFile("token", jwt(h, subs[who]))
			setEnv(t, h, "AWS_WEB_IDENTITY_TOKEN_FILE", p)
			return []string{"--role-arn", roleA}
		}},
		{"a relative token path in two directories", func(t *testing.T, h *harness, who int) []string {
			d := filepath.Join(h.dir, fmt.Sprint("dir", who))
			_ = os.MkdirAll(d, 0o700)
			if err := os.WriteFile(filepath.Join(d, "token"), []byte(jwt(h, subs[who])), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Chdir(d)
			return []string{"--web-identity-token-file", "token", "--role-arn", roleA}
		}},
		{"--web-identity-token-command printing another token", func(t *testing.T, h *harness, who int) []string {
			p := h.writeFile("token", jwt(h, subs[who]))
			return []string{"--web-identity-token-command", "cat " + p, "--role-arn", roleA}
		}},
		{"a credential_process printing another identity's keys", func(t *testing.T, h *harness, who int) []string {
			k := keys(h, who)
			p := h.writeFile("cp.json", fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q}`, k.AccessKeyID, k.SecretAccessKey))
			h.writeFile("config", "[profile base]\ncredential_process = cat "+p+"\n[profile dev]\nrole_arn = "+roleA+"\nsource_profile = base\n")
			return []string{"--profile", "dev"}
		}},
		{"a profile's role_arn and web_identity_token_file (EKS/IRSA)", func(t *testing.T, h *harness, who int) []string {
			p := h.writeFile("token", jwt(h, subs[who]))
			h.writeFile("config", fmt.Sprintf("[profile irsa]\nrole_arn = %s\nweb_identity_token_file = %s\n", roleA, p))
			return []string{"--profile", "irsa"}
		}},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			h := newHarness(t)
			h.bob = h.sts.AddUser("bob")
			h.sts.TrustJWTKey(&key.PublicKey, "sts.amazonaws.com")
			h.sts.SetMaxSessionDuration(roleA, 12*time.Hour)
			// The SDK reads the process environment: start from a clean one.
			for _, v := range cacheid.CredentialEnv() {
				t.Setenv(v, "")
				os.Unsetenv(v)
			}
			setEnv(t, h, "AWS_CONFIG_FILE", h.env["AWS_CONFIG_FILE"], "AWS_SHARED_CREDENTIALS_FILE", h.env["AWS_SHARED_CREDENTIALS_FILE"],
				"AWS_ENDPOINT_URL_STS", h.env["AWS_ENDPOINT_URL_STS"], "HOME", h.dir)
			export := func(who int) (accessKey string, calls int) {
				t.Helper()
				args := append([]string{"export", "--format", "json"}, f.use(t, h, who)...)
				before := len(h.sts.Calls())
				out, stderr, code := h.run(args...)
				if code != 0 {
					t.Fatalf("identity %d: exit %d: %s", who, code, stderr)
				}
				return parseJSON(t, out)["AccessKeyId"].(string), len(h.sts.Calls()) - before
			}
			// who made an access key: the signer's user, or the token's subject.
			madeBy := func(accessKey string) string {
				for _, c := range h.sts.Calls() {
					if c.Issued == accessKey && c.Action == "AssumeRole" || c.Issued == accessKey && c.Action == "AssumeRoleWithWebIdentity" {
						if c.Subject != "" {
							return c.Subject
						}
						return c.SignedBy
					}
				}
				return "unknown"
			}
			want := []string{h.user.AccessKeyID, h.bob.AccessKeyID}
			if strings.Contains(strings.ToLower(f.name), "token") {
				want = subs
			}

			a1, calls := export(0)
			if calls == 0 || madeBy(a1) != want[0] {
				t.Fatalf("first export of A: %d STS calls, made by %s; want a call by %s", calls, madeBy(a1), want[0])
			}
			a2, calls := export(0)
			if calls != 0 || a2 != a1 {
				t.Errorf("the same identity A missed the cache: %d STS calls, key %s vs %s", calls, a2, a1)
			}
			b1, calls := export(1)
			if b1 == a1 || calls == 0 {
				t.Fatalf("identity B got A's cache entry (%s, %d STS calls)", b1, calls)
			}
			if got := madeBy(b1); got != want[1] {
				t.Errorf("B's credentials were made by %s, want %s", got, want[1])
			}
			if a3, calls := export(0); a3 != a1 || calls != 0 {
				t.Errorf("back to A: %s with %d STS calls, want A's entry %s from the cache", a3, calls, a1)
			}
		})
	}
}

// TestASDKResolvedProfileWithoutARoleIsUsedAsItIs: a credential_process
// profile (session credentials) with no role above it is exported as it is,
// with no GetSessionToken (AWS refuses one signed with session
// credentials); a process printing malformed JSON never has its output
// (a secret) printed.
func TestASDKResolvedProfileWithoutARoleIsUsedAsItIs(t *testing.T) {
	h := newHarness(t)
	const secret = "fAkEsEcReTfAkEsEcReTfAkEsEcReTfAkEsEcReT"
	good := h.writeFile("good.sh", `printf '{"Version":1,"AccessKeyId":"ASIAFAKEPROCESS","SecretAccessKey":"`+secret+`","SessionToken":"FAKEtoken","Expiration":"2199-01-01T00:00:00Z"}'`)
	bad := h.writeFile("bad.sh", `printf '{"Version":1,"AccessKeyId":"ASIAFAKEPROCESS","SecretAccessKey":"`+secret+`"'`)
	h.writeFile("config", fmt.Sprintf("[profile proc]\ncredential_process = sh %s\n[profile broken]\ncredential_process = sh %s\n", good, bad))
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HOME"} {
		t.Setenv(k, h.env[k])
	}
	out, stderr, code := h.run("export", "--format", "json", "--profile", "proc")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if m := parseJSON(t, out); m["AccessKeyId"] != "ASIAFAKEPROCESS" || len(h.sts.Calls()) != 0 {
		t.Errorf("got %v with %d STS calls; want the process's credentials as they are", m["AccessKeyId"], len(h.sts.Calls()))
	}
	_, stderr, code = h.run("export", "--profile", "broken")
	if code == 0 || strings.Contains(stderr, secret) || !strings.Contains(stderr, "credential_process") {
		t.Errorf("exit %d, stderr %q: want a failure naming the credential_process, without its output", code, stderr)
	}
}

// TestAProfileWithCredentialSourceIsCached: role_arn + credential_source =
// Environment (resolved by the SDK, role included) is used as it is and
// cached: the same identity hits, another one (other keys in the
// environment) does not.
func TestAProfileWithCredentialSourceIsCached(t *testing.T) {
	h := newHarness(t)
	h.bob = h.sts.AddUser("bob")
	h.sts.SetMaxSessionDuration(roleA, 12*time.Hour)
	for _, v := range cacheid.CredentialEnv() {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_STS", "HOME"} {
		t.Setenv(k, h.env[k])
	}
	h.writeFile("config", "[profile p]\nrole_arn = "+roleA+"\ncredential_source = Environment\n")
	use := func(k aws.Credentials) {
		for name, v := range map[string]string{"AWS_ACCESS_KEY_ID": k.AccessKeyID, "AWS_SECRET_ACCESS_KEY": k.SecretAccessKey} {
			h.env[name] = v
			t.Setenv(name, v)
		}
	}
	export := func() (string, int) {
		before := h.sts.Count("AssumeRole")
		out, stderr, code := h.run("export", "--format", "json", "--profile", "p")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return parseJSON(t, out)["AccessKeyId"].(string), h.sts.Count("AssumeRole") - before
	}
	use(h.user)
	a1, n := export()
	if n != 1 {
		t.Fatalf("first export: %d AssumeRole calls, want 1", n)
	}
	if a2, n := export(); n != 0 || a2 != a1 {
		t.Errorf("the same identity: %d AssumeRole calls, want a cache hit", n)
	}
	use(h.bob)
	if b1, n := export(); n != 1 || b1 == a1 {
		t.Errorf("another identity got %s with %d calls: want its own credentials", b1, n)
	}
}
