package chain_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/ststest"
)

// TestABuiltChainTellsTheSDKItsSources: the SDK's credential feature
// tracking (aws.CredentialProviderSource) sees through the chain's file
// cache and duration fallback to every STS call of the chain, whichever
// source starts it.
func TestABuiltChainTellsTheSDKItsSources(t *testing.T) {
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("ana")
	const role = "arn:aws:iam::123456789012:role/Dev"
	const role2 = "arn:aws:iam::123456789012:role/Admin"
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	config := filepath.Join(dir, "config")
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(creds, "[keys]\naws_access_key_id = "+user.AccessKeyID+"\naws_secret_access_key = "+user.SecretAccessKey+"\n")
	write(config, "[profile keys]\nregion = us-east-1\n"+
		"[profile dev]\nrole_arn = "+role+"\nsource_profile = keys\nregion = us-east-1\n"+
		"[profile admin]\nrole_arn = "+role2+"\nsource_profile = dev\nregion = us-east-1\n")
	env := map[string]string{"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds, "HOME": dir, "USER": "ana",
		"AWS_ENDPOINT_URL_STS": s.URL}
	tests := []struct {
		name string
		req  chain.Request
		want []aws.CredentialSource
	}{
		{"a role over a profile's keys", chain.Request{Profile: "dev"},
			[]aws.CredentialSource{aws.CredentialSourceSTSAssumeRole}},
		{"two roles", chain.Request{Profile: "admin"},
			[]aws.CredentialSource{aws.CredentialSourceSTSAssumeRole, aws.CredentialSourceSTSAssumeRole}},
		{"a session token over given keys", chain.Request{NoRole: true, Keys: chain.Keys{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey}},
			[]aws.CredentialSource{aws.CredentialSourceSTSSessionToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Cache.Dir = t.TempDir()
			p, err := chain.Resolve(context.Background(), tt.req, func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			c, err := chain.Build(p, chain.Deps{Clock: fakeclock.New(time.Now())})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Retrieve(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := c.ProviderSources()
			// The chain's own calls end the list, after whatever the SDK
			// reports for the profile's keys.
			if len(got) < len(tt.want) || !slices.Equal(got[len(got)-len(tt.want):], tt.want) {
				t.Errorf("ProviderSources = %v, want it to end with %v", got, tt.want)
			}
		})
	}
}
