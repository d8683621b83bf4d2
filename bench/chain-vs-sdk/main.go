// Command chain-vs-sdk counts the STS calls and MFA prompts that three
// refreshes of the outermost role of a three-hop source_profile chain (MFA
// on the first hop) cost through aws-sdk-go-v2's own config.LoadDefaultConfig
// and through tempcreds, against the same counting fake STS and the same
// ~/.aws/config.
//
// A "refresh" is what happens when the outer role's credentials are due
// while the inner ones are still valid: for the SDK, invalidating its
// credentials cache; for tempcreds, removing the outer role's cache entry.
//
//	go run ./bench/chain-vs-sdk
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/tempcreds/tempcreds/internal/cli"
	"github.com/tempcreds/tempcreds/internal/fakeclock"
	"github.com/tempcreds/tempcreds/internal/ststest"
)

const (
	mfa      = "arn:aws:iam::123456789012:mfa/alice"
	refreshs = 3
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "chain-vs-sdk:", err)
		os.Exit(1)
	}
}

func setup(dir string) (*ststest.Server, *fakeclock.Clock, []byte, error) {
	clk := fakeclock.New(time.Now())
	s := ststest.New(ststest.WithClock(clk))
	user := s.AddUser("alice")
	secret := []byte("fake-totp-secret-bench")
	s.AddMFADevice(mfa, secret)
	creds := fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey)
	cfg := fmt.Sprintf(`[profile base]
region = us-east-1
[profile b]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = base
mfa_serial = %s
[profile c]
role_arn = arn:aws:iam::123456789012:role/C
source_profile = b
[profile a]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = c
`, mfa)
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(creds), 0o600); err != nil {
		return nil, nil, nil, err
	}
	return s, clk, secret, os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
}

func run() error {
	fmt.Printf("| client | AssumeRole + GetSessionToken calls for the first load and %d refreshes | MFA prompts |\n|---|---|---|\n", refreshs)

	// aws-sdk-go-v2: config.LoadDefaultConfig with the profile.
	dir, _ := os.MkdirTemp("", "chain-sdk-")
	defer os.RemoveAll(dir)
	s, clk, secret, err := setup(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	os.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
	var prompts atomic.Int64
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("a"),
		config.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}),
		config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = func() (string, error) { prompts.Add(1); return ststest.TOTP(secret, clk.Now()), nil }
		}))
	if err != nil {
		return err
	}
	for i := 0; i <= refreshs; i++ {
		if i > 0 {
			cfg.Credentials.(*aws.CredentialsCache).Invalidate()
			clk.Advance(31 * time.Second) // a new MFA code each time
		}
		if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
			return fmt.Errorf("sdk: %w", err)
		}
	}
	fmt.Printf("| aws-sdk-go-v2 config.LoadDefaultConfig | %d | %d |\n", s.Count("AssumeRole")+s.Count("GetSessionToken"), prompts.Load())

	// tempcreds, in-process, with the same config and a counting prompt.
	dir2, _ := os.MkdirTemp("", "chain-tempcreds-")
	defer os.RemoveAll(dir2)
	s2, clk2, secret2, err := setup(dir2)
	if err != nil {
		return err
	}
	defer s2.Close()
	var prompts2 atomic.Int64
	env := map[string]string{"HOME": dir2, "XDG_CACHE_HOME": filepath.Join(dir2, "cache"), "AWS_ENDPOINT_URL_STS": s2.URL,
		"AWS_CONFIG_FILE": filepath.Join(dir2, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir2, "credentials")}
	app := cli.App{Stdin: strings.NewReader(""), Stderr: io.Discard, Clock: clk2,
		Getenv: func(k string) string { return env[k] },
		OpenTTY: func() (io.ReadWriteCloser, error) {
			prompts2.Add(1)
			return tty{strings.NewReader(ststest.TOTP(secret2, clk2.Now()) + "\n")}, nil
		}}
	runCLI := func(args ...string) (string, error) {
		var out bytes.Buffer
		app.Stdout = &out
		if code := cli.Run(context.Background(), app, args); code != 0 {
			return "", fmt.Errorf("tempcreds %v: exit %d", args, code)
		}
		return out.String(), nil
	}
	for i := 0; i <= refreshs; i++ {
		if i > 0 {
			list, err := runCLI("cache", "list")
			if err != nil {
				return err
			}
			for _, line := range strings.Split(list, "\n") {
				if strings.Contains(line, "role/A") {
					if _, err := runCLI("cache", "clear", strings.Fields(line)[0]); err != nil {
						return err
					}
				}
			}
			clk2.Advance(31 * time.Second)
		}
		if _, err := runCLI("export", "--profile", "a"); err != nil {
			return err
		}
	}
	fmt.Printf("| tempcreds (each hop cached) | %d | %d |\n", s2.Count("AssumeRole")+s2.Count("GetSessionToken"), prompts2.Load())
	return nil
}

type tty struct{ io.Reader }

// Write discards the prompt.
func (tty) Write(p []byte) (int, error) { return len(p), nil }

// Close does nothing.
func (tty) Close() error { return nil }
