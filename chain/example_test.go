package chain_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/ststest"
)

// A ~/.aws/config profile chain as aws.Config.Credentials: refreshing,
// each hop cached 0600 on disk, so a second process makes no STS call.
func ExampleFromProfile() {
	// A fake STS and a home with a two-profile chain (fake keys only).
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("example")
	home, err := os.MkdirTemp("", "chain-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	files := map[string]string{
		"config":      "[profile base]\nregion = us-east-1\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = base\n",
		"credentials": fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(home, name), []byte(body), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	for k, v := range map[string]string{"AWS_CONFIG_FILE": filepath.Join(home, "config"), "XDG_CACHE_HOME": filepath.Join(home, "cache"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"), "AWS_ENDPOINT_URL_STS": s.URL} {
		defer os.Setenv(k, os.Getenv(k))
		os.Setenv(k, v)
	}

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// The two lines.
	creds, err := chain.FromProfile(ctx, "dev", chain.Deps{})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = creds

	first, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// Another process: the same profile, from the file cache.
	again, _ := chain.FromProfile(ctx, "dev", chain.Deps{})
	second, err := again.Retrieve(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.AccessKeyID == second.AccessKeyID, s.Count("AssumeRole"))
	// Output: true 1
}
