package cacheid

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
)

func TestDigestTellsPartsApart(t *testing.T) {
	for _, tc := range []struct{ a, b []string }{
		{[]string{"ab", "c"}, []string{"a", "bc"}},
		{[]string{"a:b"}, []string{"a", "b"}},
		{[]string{""}, nil},
		{[]string{"x", ""}, []string{"x"}},
	} {
		if Digest(tc.a...) == Digest(tc.b...) {
			t.Errorf("Digest(%q) == Digest(%q)", tc.a, tc.b)
		}
	}
	if a, b := Digest("a", "b"), Digest("a", "b"); a != b {
		t.Error("not deterministic")
	}
}

func TestIdentitiesHoldNoSecret(t *testing.T) {
	for name, id := range map[string]string{
		"static":  Static("AKIAEXAMPLE", "SECRETKEY", "SESSIONTOKEN"),
		"process": Process("dev", "okta --password SECRETKEY", ""),
		"output":  ProcessOutput(aws.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "SECRETKEY", SessionToken: "SESSIONTOKEN"}),
	} {
		if strings.Contains(id, "SECRETKEY") || strings.Contains(id, "SESSIONTOKEN") {
			t.Errorf("%s identity %q holds a secret", name, id)
		}
	}
	if Static("AKIA", "a", "b") == Static("AKIA", "a", "c") {
		t.Error("the token is not part of a static identity")
	}
}

func TestEnvironmentReadsTheFiles(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_PROFILE", "dev"}
	before := Environment(env, config, filepath.Join(dir, "missing"))
	if err := os.WriteFile(config, []byte("[default]\nregion = eu-west-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		env     []string
		changed bool
	}{
		{"the file changed", env, true},
		{"another variable", []string{"AWS_PROFILE", "prod"}, true},
	} {
		if got := Environment(tc.env, config, filepath.Join(dir, "missing")); (got != before) != tc.changed {
			t.Errorf("%s: changed %v, want %v", tc.name, got != before, tc.changed)
		}
	}
}

func TestCredentialEnvIsACopy(t *testing.T) {
	v := CredentialEnv()
	v[0] = "X"
	if CredentialEnv()[0] == "X" || len(ProcessEnv()) != 2*len(v) {
		t.Fatal("CredentialEnv shares its slice, or ProcessEnv is not name, value pairs")
	}
}

// countingToken counts reads.
type countingToken struct{ n int }

func (c *countingToken) Token(context.Context) (string, error) {
	c.n++
	return "token-" + string(rune('0'+c.n)), nil
}

var _ tempcreds.TokenSource = (*countingToken)(nil)

func TestMemoTokenReadsOncePerResolution(t *testing.T) {
	src := &countingToken{}
	m := NewMemoToken(src)
	id, err := m.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := m.Token(context.Background())
	if src.n != 1 || tok != "token-1" || id != "web-identity-token-sha256:"+Digest("token-1") {
		t.Fatalf("%d reads, token %q, identity %q", src.n, tok, id)
	}
}
