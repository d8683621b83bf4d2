package chain

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds"
)

const (
	roleA = "arn:aws:iam::123456789012:role/A"
	roleB = "arn:aws:iam::123456789012:role/B"
	roleC = "arn:aws:iam::123456789012:role/C"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveIsPureAndOrdered(t *testing.T) {
	p, err := Resolve(context.Background(), Request{RoleARN: roleA, Via: []string{roleB, roleC}, Cache: CachePolicy{Dir: "/tmp/x"}},
		envOf(map[string]string{"AWS_STS_ACCESS_KEY": "AKIAFAKE", "AWS_STS_ACCESS_SECRET": "fake"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, hp := range p.Hops {
		got = append(got, hp.RoleARN)
	}
	if strings.Join(got, " ") != strings.Join([]string{roleB, roleC, roleA}, " ") {
		t.Errorf("hops %v, want B, C, A", got)
	}
	if p.Hops[2].Duration != 0 {
		t.Errorf("a chained role asks for %s by default; want STS's default (1h)", p.Hops[2].Duration)
	}
	keys := map[string]bool{}
	below := ""
	for i := range p.Hops {
		k := keyInputs(p, i, below).Key()
		keys[k] = true
		below = k
	}
	if len(keys) != 3 {
		t.Error("hops share a cache key")
	}
}

// TestErrorsNameTheFieldOrTheVariable: every refusal is a
// *tempcreds.ConfigError whose Field is the Request field, whose Origin is
// the variable when the value came from the environment, and whose
// library text names neither a flag nor the prefix twice.
func TestErrorsNameTheFieldOrTheVariable(t *testing.T) {
	tests := []struct {
		name          string
		req           Request
		env           map[string]string
		field, origin string
		limit         bool
	}{
		{"bad role from the request", Request{RoleARN: "nope"}, nil, "RoleARN", "", false},
		{"bad role from the environment", Request{}, map[string]string{"AWS_ROLE_ARN": "nope"}, "RoleARN", "AWS_ROLE_ARN", false},
		{"duration out of range", Request{RoleARN: roleA, Duration: 13 * time.Hour}, nil, "Duration", "", true},
		{"duration from the environment", Request{RoleARN: roleA}, map[string]string{"AWS_ROLE_DURATION_SECONDS": "soon"}, "Duration", "AWS_ROLE_DURATION_SECONDS", false},
		{"duration not whole seconds", Request{RoleARN: roleA, Duration: 1500 * time.Millisecond}, nil, "Duration", "", false},
		{"session name from the environment", Request{RoleARN: roleA}, map[string]string{"AWS_ROLE_SESSION_NAME": "a b"}, "RoleSessionName", "AWS_ROLE_SESSION_NAME", false},
		{"region", Request{Region: "US EAST"}, nil, "Region", "", false},
		{"endpoint from the environment", Request{}, map[string]string{"AWS_ENDPOINT_URL": "ftp://x"}, "EndpointURL", "AWS_ENDPOINT_URL", false},
		{"file mode from the environment", Request{}, map[string]string{"AWS_STS_FILE_MODE": "0644"}, "Cache.Mode", "AWS_STS_FILE_MODE", false},
		{"file mode from the request", Request{Cache: CachePolicy{Mode: 0o644}}, nil, "Cache.Mode", "", false},
		{"both token forms", Request{RoleARN: roleA, WebIdentityTokenFile: "/t", WebIdentityTokenCommand: "echo t"}, nil, "WebIdentityTokenFile", "", false},
		{"no role and a role", Request{NoRole: true, RoleARN: roleA}, nil, "NoRole", "", false},
		{"shape without a role", Request{ExternalID: "abc"}, nil, "RoleARN", "", false},
		{"bad MFA mode", Request{MFAMode: "sometimes"}, nil, "MFAMode", "", false},
		{"negative MinTTL", Request{Cache: CachePolicy{MinTTL: -time.Second}}, nil, "Cache.MinTTL", "", false},
		{"half a key pair", Request{Keys: Keys{AccessKeyID: "AKIAFAKE"}}, nil, fieldKeys, "", false},
		{"missing profile", Request{Profile: "nowhere"}, nil, "Profile", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir(), "AWS_STS_ACCESS_KEY": "AKIAFAKE", "AWS_STS_ACCESS_SECRET": "fake"}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Resolve(context.Background(), tc.req, envOf(env))
			var ce *tempcreds.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, tempcreds.ErrInvalidConfig) {
				t.Fatalf("error %v (%T), want a *tempcreds.ConfigError", err, err)
			}
			if ce.Field != tc.field || ce.Origin != tc.origin || (ce.Limit != "") != tc.limit {
				t.Errorf("field %q origin %q limit %q, want %q %q (limit %v)", ce.Field, ce.Origin, ce.Limit, tc.field, tc.origin, tc.limit)
			}
			msg := err.Error()
			if strings.Contains(msg, "--") || strings.Count(msg, "tempcreds:") != 1 || strings.Contains(msg, "{{") {
				t.Errorf("library text %q names a flag, doubles the prefix or leaves a placeholder", msg)
			}
			named := ce.Message(func(f string) string { return "<" + f + ">" })
			want := tc.origin
			if want == "" {
				want = "<" + tc.field + ">"
			}
			if tc.field != "Profile" && tc.field != fieldKeys && !strings.Contains(named, want) {
				t.Errorf("caller's text %q does not name %s", named, want)
			}
		})
	}
}

// FuzzResolveRequest: any request and environment give a plan with hops or
// a *tempcreds.ConfigError; never a panic.
func FuzzResolveRequest(f *testing.F) {
	f.Add(roleA, "dev", "3600", "us-east-1", "https://sts.example.com", int64(0))
	f.Add("arn:aws:iam::role/x", "a b", "-1", "US", "ftp://x", int64(-1))
	f.Add("arn:aws-cn:iam::123456789012:role/path/B", "", "90m", "", "", int64(1500))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, role, session, durationVar, region, endpoint string, duration int64) {
		env := map[string]string{"HOME": dir, "AWS_STS_ACCESS_KEY": "AKIAFAKE", "AWS_STS_ACCESS_SECRET": "fake",
			"AWS_ROLE_DURATION_SECONDS": durationVar, "AWS_ENDPOINT_URL": endpoint}
		p, err := Resolve(context.Background(), Request{RoleARN: role, RoleSessionName: session, Region: region,
			Duration: time.Duration(duration) * time.Second}, envOf(env))
		var ce *tempcreds.ConfigError
		switch {
		case err == nil && len(p.Hops) == 0:
			t.Fatal("a plan without hops")
		case err != nil && !errors.As(err, &ce):
			t.Fatalf("error %v is not a ConfigError", err)
		case err == nil && role != "" && !strings.Contains(role, ":role/"):
			t.Fatalf("accepted role %q", role)
		}
	})
}

// FuzzProfileConfig: any ~/.aws/config content resolves to a plan or a
// *tempcreds.ConfigError; never a panic.
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
		p, err := Resolve(context.Background(), Request{Profile: "a"}, envOf(env))
		var ce *tempcreds.ConfigError
		if err == nil && len(p.Hops) == 0 {
			t.Fatal("a plan without hops")
		}
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error %v is not a ConfigError", err)
		}
	})
}

// TestProcessKeysAndLoginHintsAreUnambiguous: the source process's
// identity is a digest of separate fields (a ":" in a profile name cannot
// make two entries one), and the login hint quotes a profile name a shell
// would interpret.
func TestProcessKeysAndLoginHintsAreUnambiguous(t *testing.T) {
	a := processIdentity(&Plan{Profile: "x:echo", ProcessCommand: "sh -c 'cat a'"})
	b := processIdentity(&Plan{Profile: "x", ProcessCommand: "echo:sh -c 'cat a'"})
	if a == b || strings.Contains(a, "cat a") {
		t.Errorf("identities %q and %q: want distinct digests without the command line", a, b)
	}
}
