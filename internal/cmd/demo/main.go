// Command demo is `make demo`: it shows tempcreds at work against a local,
// real STS (MinIO, with a local OpenID Connect issuer), printing each
// command before running it. No AWS account is needed; everything runs on
// loopback and is removed at the end, also on Ctrl-C or failure.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const role = "arn:aws:iam::123456789012:role/demo"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopWithParent()
	run := run
	if len(os.Args) > 1 && os.Args[1] == "-minio" {
		run = runMinIO
	}
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

type demo struct {
	ctx context.Context
	bin string
	env []string
}

// secretPattern finds secrets in what the demo prints, to shorten them.
var secretPattern = regexp.MustCompile(`((?:AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_AUTHORIZATION_TOKEN)=['"]?|"(?:SecretAccessKey|SessionToken|Token|AWS_CONTAINER_AUTHORIZATION_TOKEN)": ?")([A-Za-z0-9+/=_.\-]{6})[A-Za-z0-9+/=_.\-]+`)

func redact(s string) string { return secretPattern.ReplaceAllString(s, "$1$2…") }

func section(title string) { fmt.Printf("\n\033[1m== %s\033[0m\n", title) }

// sh prints a shell command line and runs it with the demo's environment.
func (d *demo) sh(line string) (string, time.Duration, error) {
	fmt.Printf("$ %s\n", line)
	cmd := exec.CommandContext(d.ctx, "sh", "-c", line)
	cmd.Env = d.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	fmt.Print(indent(redact(string(out))))
	if err != nil {
		return string(out), took, fmt.Errorf("%s: %w", line, err)
	}
	return string(out), took, nil
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func run(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "tempcreds-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	section("Build tempcreds, start MinIO (a real STS and S3) and a local OpenID issuer on 127.0.0.1")
	bin := filepath.Join(tmp, "tempcreds")
	fmt.Println("  go build ./cmd/tempcreds")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/tempcreds").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	m, err := startMinIO(ctx, "demo-bucket")
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Printf("  MinIO at %s, OpenID issuer at %s\n", m.Endpoint, m.OIDC.URL)

	d := &demo{ctx: ctx, bin: bin, env: []string{
		"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + tmp, "XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_DEFAULT_REGION=us-east-1",
		// aws-sts-helper's variables: the source keys (MinIO's root, random and local) and the role.
		"AWS_STS_ACCESS_KEY=" + m.RootUser, "AWS_STS_ACCESS_SECRET=" + m.RootPassword,
		"AWS_ROLE_ARN=" + role, "AWS_ENDPOINT_URL_STS=" + m.Endpoint,
	}}

	section("Assume a role: the first call goes to STS, the second is a cache hit")
	_, first, err := d.sh("tempcreds export --duration 15m --format json")
	if err != nil {
		return err
	}
	fmt.Printf("  -> %s (AssumeRole at MinIO, then cached 0600 on disk)\n", first.Round(time.Millisecond))
	_, second, err := d.sh("tempcreds export --duration 15m --format json > /dev/null")
	if err != nil {
		return err
	}
	fmt.Printf("  -> %s (cache hit: no network)\n", second.Round(100*time.Microsecond))

	section("Shell exports, POSIX-quoted, for eval")
	if _, _, err := d.sh("tempcreds export --duration 15m"); err != nil {
		return err
	}
	if _, _, err := d.sh(`eval "$(tempcreds export --duration 15m)" && echo "this shell now has $AWS_ACCESS_KEY_ID until $AWS_CREDENTIAL_EXPIRATION"`); err != nil {
		return err
	}

	section("exec: run a command with the credentials, against MinIO's S3")
	if _, err := exec.LookPath("aws"); err == nil {
		if _, _, err := d.sh("tempcreds exec --duration 15m -- aws s3 ls --endpoint-url " + m.Endpoint); err != nil {
			return err
		}
	} else {
		fmt.Println("  (the AWS CLI is not installed: showing the child's environment instead)")
		if _, _, err := d.sh(`tempcreds exec --duration 15m -- sh -c 'env | grep ^AWS_ | sort'`); err != nil {
			return err
		}
	}

	section("Profiles, as in ~/.aws/config: keys in base, roles dev and prod on it (the README's quick start)")
	config, credentials, err := quickstartConfig(tmp, m.RootUser, m.RootPassword)
	if err != nil {
		return err
	}
	if _, err := m.S3Client(m.RootCredentials()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("quickstart")}); err != nil {
		return err
	}
	p := &demo{ctx: ctx, bin: bin, env: []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + tmp,
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"), "USER=demo", "SHELL=/bin/sh",
		"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + credentials, "AWS_ENDPOINT_URL=" + m.Endpoint}}
	if _, _, err := p.sh("tempcreds profiles"); err != nil {
		return err
	}
	if _, _, err := p.sh(`tempcreds exec dev -- sh -c 'echo "region $AWS_REGION, profile $TEMPCREDS_PROFILE"'`); err != nil {
		return err
	}
	if _, err := exec.LookPath("aws"); err == nil {
		if _, _, err := p.sh("tempcreds exec prod -- aws s3 ls"); err != nil {
			return err
		}
	}
	if _, _, err := p.sh("tempcreds profiles"); err != nil {
		return err
	}

	section("Web identity with a token file that an agent rotates every 5 s (30-second tokens)")
	tokenFile := filepath.Join(tmp, "web-identity-token")
	stopRotation := m.OIDC.RotateToken(tokenFile, "demo-workload", 30*time.Second, 5*time.Second)
	defer stopRotation()
	if _, _, err := d.sh("tempcreds export --web-identity-token-file " + tokenFile + " --format credential-process"); err != nil {
		return err
	}

	section("serve: refreshing credentials for other processes, on loopback, behind a token")
	if err := d.serve(tokenFile); err != nil {
		return err
	}

	section("The cache: one 0600 file per role and inputs, never a secret in the listing")
	if _, _, err := d.sh("tempcreds cache list"); err != nil {
		return err
	}
	section("Done: MinIO, the issuer and every file are being removed")
	return nil
}

// serve starts `tempcreds serve` and fetches credentials from it like a
// container SDK does.
func (d *demo) serve(tokenFile string) error {
	line := "tempcreds serve --web-identity-token-file " + tokenFile + " --format json"
	fmt.Printf("$ %s &\n", line)
	cmd := exec.CommandContext(d.ctx, "sh", "-c", "exec "+line)
	cmd.Env = d.env
	out, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Println("  [serve] " + sc.Text())
		}
	}()
	var vars map[string]string
	if err := json.NewDecoder(out).Decode(&vars); err != nil {
		return fmt.Errorf("serve printed no settings: %w", err)
	}
	b, _ := json.MarshalIndent(vars, "  ", "  ")
	fmt.Println("  " + redact(string(b)))
	uri, token := vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
	for _, t := range []struct{ label, token string }{{"with the token", token}, {"without it", ""}} {
		fmt.Printf("> GET %s %s (what a container SDK does)\n", uri, t.label)
		req, _ := http.NewRequestWithContext(d.ctx, http.MethodGet, uri, nil)
		if t.token != "" {
			req.Header.Set("Authorization", t.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("  HTTP %d %s\n", resp.StatusCode, redact(strings.TrimSpace(string(body))))
	}
	return nil
}
