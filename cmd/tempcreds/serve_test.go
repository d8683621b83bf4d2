//go:build unix

package main

// tempcreds serve and exec --server with real consumers: aws-sdk-go-v2
// through config.LoadDefaultConfig, the JavaScript SDK v2 RemoteCredentials
// (the seed class) and v3 fromHttp, boto3, and the AWS CLI (botocore), each
// with the token given directly and through a token file. Credentials
// come from MinIO web identity with 30-second tokens rotated every 5 s, so
// every consumer lives through several real expiries, and MinIO's S3 checks
// each set of credentials a consumer got.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/devcache"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/miniotest"
	"github.com/tempcreds/tempcreds/internal/syncbuf"
)

// consumerRun is how long each consumer keeps asking: more than two
// lifetimes of the 30-second credentials.
const consumerRun = 70 * time.Second

// Pinned npm packages of the JavaScript consumers.
const (
	npmSDKv2 = "aws-sdk@2.1693.0"
	npmSDKv3 = "@aws-sdk/credential-providers@3.1169.0"
)

// startServe runs `tempcreds serve` and returns the client settings.
func startServe(t *testing.T, args ...string) (map[string]string, *syncbuf.Buffer) {
	t.Helper()
	return startServeIn(t, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}, args...)
}

// startServeIn is startServe with the given environment.
func startServeIn(t *testing.T, environ []string, args ...string) (map[string]string, *syncbuf.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--format", "json"}, args...)...)
	cmd.Env = environ
	stdout, _ := cmd.StdoutPipe()
	stderr := &syncbuf.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	var vars map[string]string
	if err := json.NewDecoder(stdout).Decode(&vars); err != nil {
		t.Fatalf("serve printed no settings: %v\n%s", err, stderr.String())
	}
	return vars, stderr
}

// npmInstall installs the pinned JavaScript SDKs into the per-user
// development cache (devcache), once per machine.
func npmInstall(t *testing.T) string {
	t.Helper()
	dir, err := devcache.Dir("node", strings.ReplaceAll(npmSDKv2+"+"+npmSDKv3, "/", "_"))
	if err != nil {
		t.Fatal(err)
	}
	stamp := filepath.Join(dir, "installed")
	want := npmSDKv2 + " " + npmSDKv3
	if b, err := os.ReadFile(stamp); err == nil && string(b) == want {
		return filepath.Join(dir, "node_modules")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("npm is required for the JavaScript SDK consumers (.ci/run installs it): ", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", npmSDKv2, npmSDKv3)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "node_modules")
}

// nodeConsumer prints one JSON line of credentials every second for ms.
const nodeConsumer = `
const [mode, ms] = [process.argv[2], Number(process.argv[3])];
let get;
if (mode === "v2") {
  const AWS = require("aws-sdk");
  const creds = new AWS.RemoteCredentials();
  get = () => new Promise((resolve, reject) => creds.get(err => err ? reject(err) : resolve({
    AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, SessionToken: creds.sessionToken,
    Expiration: creds.expireTime.toISOString() })));
} else {
  const { fromHttp } = require("@aws-sdk/credential-providers");
  const provider = fromHttp({});
  get = async () => { const c = await provider(); return {
    AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken,
    Expiration: c.expiration.toISOString() }; };
}
const end = Date.now() + ms;
(async () => {
  while (Date.now() < end) {
    try { console.log(JSON.stringify(await get())); }
    catch (e) { console.log(JSON.stringify({ error: String(e) })); }
    await new Promise(r => setTimeout(r, 1000));
  }
})();
`

// goConsumer is the aws-sdk-go-v2 consumer: config.LoadDefaultConfig finds
// the container endpoint in the environment; it prints the credentials it
// gets once a second, like the JavaScript one.
func goConsumer(ms string) {
	ctx := context.Background()
	var d time.Duration
	_, _ = fmt.Sscan(ms, &d)
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Printf("{\"Error\": %q}\n", err.Error())
		return
	}
	for end := time.Now().Add(d * time.Millisecond); time.Now().Before(end); time.Sleep(time.Second) {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			b, _ := json.Marshal(map[string]string{"Error": err.Error()})
			fmt.Println(string(b))
			continue
		}
		b, _ := json.Marshal(map[string]string{"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey,
			"SessionToken": c.SessionToken, "Expiration": c.Expires.Format(time.RFC3339)})
		fmt.Println(string(b))
	}
}

// pythonConsumer is boto3 (botocore's container provider), printing the
// credentials it holds once a second for ms milliseconds.
const pythonConsumer = `
import boto3, json, sys, time
creds = boto3.Session().get_credentials()
end = time.time() + int(sys.argv[1]) / 1000.0
while time.time() < end:
    try:
        f = creds.get_frozen_credentials()
        print(json.dumps({"AccessKeyId": f.access_key, "SecretAccessKey": f.secret_key, "SessionToken": f.token}), flush=True)
    except Exception as e:
        print(json.dumps({"Error": str(e)}), flush=True)
    time.sleep(1)
`

// awsCLIConsumer runs the AWS CLI (a new process, so a new fetch from the
// endpoint, every 2 s) and prints a line per call; only failures carry
// an error (the CLI does not show the keys it used).
const awsCLIConsumer = `
end=$(( $(date +%s) + $1 / 1000 ))
while [ "$(date +%s)" -lt "$end" ]; do
  if out=$(aws s3api head-bucket --bucket served --endpoint-url "$S3_ENDPOINT" 2>&1); then
    echo "{\"AccessKeyId\":\"aws-cli-call\",\"Expiration\":\"$(date +%s)\"}"
  else
    printf '{"Error":"%s"}\n' "$(echo "$out" | tr -d '"\n' | head -c 300)"
  fi
  sleep 2
done
`

type consumerResult struct {
	name   string
	calls  int
	keys   map[string]bool
	errors []string
	// first and last are the Unix times of the AWS CLI's first and last
	// successful calls (it cannot show the keys it used).
	first, last int64
}

// TestServeToRealConsumersAcrossExpiries runs every real client against
// serve in both documented forms: the token in
// AWS_CONTAINER_AUTHORIZATION_TOKEN, and serve --token-file read through
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (a trailing newline in that file
// made every SDK refuse it).
func TestServeToRealConsumersAcrossExpiries(t *testing.T) {
	t.Parallel()
	nodeModules := npmInstall(t)
	python := boto3Python(t)
	m := miniotest.Start(t)
	ctx := context.Background()
	if _, err := m.S3Client(m.RootCredentials()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("served")}); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	defer m.OIDC.RotateToken(tokenFile, "consumer", 30*time.Second, 5*time.Second)()

	// checkS3 proves MinIO accepts a set of credentials.
	checkS3 := func(id, secret, sessionToken string) error {
		c := m.S3Client(credentials.NewStaticCredentialsProvider(id, secret, sessionToken))
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("served")})
		return err
	}
	script := filepath.Join(t.TempDir(), "consumer.js")
	pyScript := filepath.Join(t.TempDir(), "consumer.py")
	cliScript := filepath.Join(t.TempDir(), "consumer.sh")
	for p, body := range map[string]string{script: nodeConsumer, pyScript: pythonConsumer, cliScript: awsCLIConsumer} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	self, _ := os.Executable()
	ms := fmt.Sprint(consumerRun.Milliseconds())

	results := make(chan consumerResult, 10)
	var wg sync.WaitGroup
	for _, mode := range []string{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"} {
		serveArgs := []string{"--web-identity-token-file", tokenFile,
			"--role-arn", "arn:aws:iam::123456789012:role/minio-ignores-this", "--endpoint-url", m.Endpoint}
		servedToken := ""
		if mode == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" {
			servedToken = filepath.Join(t.TempDir(), "served-token")
			serveArgs = append(serveArgs, "--token-file", servedToken)
		}
		vars, serveLog := startServe(t, serveArgs...)
		uri, tokenSetting := vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], vars[mode]
		if !strings.HasPrefix(uri, "http://127.0.0.1:") || tokenSetting == "" {
			t.Fatalf("settings %v", vars)
		}
		if servedToken != "" {
			b, err := os.ReadFile(servedToken)
			if err != nil || len(b) != 64 || strings.ContainsAny(string(b), "\r\n \t") {
				t.Fatalf("--token-file holds %q (%v): want the bare 64-character token", b, err)
			}
		}
		t.Cleanup(func() {
			if !strings.Contains(serveLog.String(), "credentials refreshed") {
				t.Errorf("serve (%s) logged no refresh:\n%s", mode, serveLog.String())
			}
		})
		// Unset, not empty: botocore reads AWS_PROFILE= as a profile named "".
		env := append(childproc.Without(os.Environ(), childproc.CredentialVars), "AWS_CONTAINER_CREDENTIALS_FULL_URI="+uri, mode+"="+tokenSetting,
			"AWS_CONFIG_FILE=/nonexistent",
			"AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_REGION=us-east-1", "S3_ENDPOINT="+m.Endpoint)
		consumers := map[string]*exec.Cmd{
			// aws-sdk-go-v2 through config.LoadDefaultConfig (this test binary,
			// re-run as a consumer process: see TestMain).
			"aws-sdk-go-v2": exec.Command(self, "-test.run", "^$"),
			"aws-sdk-js v2": exec.Command("node", script, "v2", ms),
			"aws-sdk-js v3": exec.Command("node", script, "v3", ms),
			"boto3":         exec.Command(python, pyScript, ms),
			"AWS CLI":       exec.Command("sh", cliScript, ms),
		}
		for name, cmd := range consumers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := consumerResult{name: name + " with " + mode, keys: map[string]bool{}}
				cmd.Env = append(append([]string(nil), env...), "NODE_PATH="+nodeModules, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1",
					"TEMPCREDS_GO_CONSUMER_MS="+ms)
				out, _ := cmd.StdoutPipe()
				var errb strings.Builder
				cmd.Stderr = &errb
				if err := cmd.Start(); err != nil {
					r.errors = append(r.errors, err.Error())
					results <- r
					return
				}
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					var c struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration, Error string }
					if err := json.Unmarshal(sc.Bytes(), &c); err != nil || c.Error != "" {
						r.errors = append(r.errors, fmt.Sprintf("%s %v", c.Error, err))
						continue
					}
					r.calls++
					r.keys[c.AccessKeyId] = true
					if name == "AWS CLI" {
						// The call itself was checked by MinIO; Expiration is its time.
						at, _ := strconv.ParseInt(c.Expiration, 10, 64)
						if r.first == 0 {
							r.first = at
						}
						r.last = at
						continue
					}
					if err := checkS3(c.AccessKeyId, c.SecretAccessKey, c.SessionToken); err != nil {
						r.errors = append(r.errors, "MinIO refused the credentials: "+err.Error())
					}
				}
				if err := cmd.Wait(); err != nil {
					r.errors = append(r.errors, fmt.Sprintf("%v: %s", err, errb.String()))
				}
				results <- r
			}()
		}
	}
	wg.Wait()
	close(results)
	for r := range results {
		t.Logf("%s: %d calls, %d distinct credentials, %d errors", r.name, r.calls, len(r.keys), len(r.errors))
		if len(r.errors) > 0 {
			t.Errorf("%s: %d errors, first: %s", r.name, len(r.errors), r.errors[0])
		}
		switch {
		case strings.HasPrefix(r.name, "AWS CLI"):
			// A new process per call, for 70 s of 30-second sessions:
			// behaviour, not a rate (a loaded machine makes fewer calls).
			// Every call accepted, and successful calls more than a
			// session's life apart: the later ones used credentials
			// issued after the first set expired.
			if r.calls < 2 || r.last-r.first < 35 {
				t.Errorf("%s: %d calls succeeding over %d s; want successful calls more than 35 s apart (an expiry crossed)", r.name, r.calls, r.last-r.first)
			}
		case len(r.keys) < 3:
			// 70 s of 30-second sessions served while 75% of their life is
			// left: three or more sets means two expiries lived through.
			t.Errorf("%s: %d calls saw %d credentials; want 3+ sets (two expiries crossed)", r.name, r.calls, len(r.keys))
		}
	}
}

// boto3Python returns a Python that imports boto3 (.ci/run installs
// Debian's python3-boto3 when the default python3 lacks it).
func boto3Python(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import boto3").Run() == nil {
			return py
		}
	}
	t.Fatal("no python3 with boto3 (.ci/run installs python3-boto3)")
	return ""
}

// TestExecServerGivesTheAWSCLIRefreshingCredentials runs the AWS CLI in a
// loop under tempcreds exec --server, across several expiries.
func TestExecServerGivesTheAWSCLIRefreshingCredentials(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("the AWS CLI is required (.ci/run installs it): ", err)
	}
	m := miniotest.Start(t)
	if _, err := m.S3Client(m.RootCredentials()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cli-loop")}); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	defer m.OIDC.RotateToken(tokenFile, "consumer", 30*time.Second, 5*time.Second)()
	home := t.TempDir()
	// The child checks it has no keys, then lists buckets for 70 s.
	loop := fmt.Sprintf(`test -z "$AWS_ACCESS_KEY_ID" || { echo "child got static keys"; exit 90; }
end=$(( $(date +%%s) + %d )); n=0
while [ "$(date +%%s)" -lt "$end" ]; do
  aws s3 ls --endpoint-url %s | grep -q cli-loop || { echo "aws s3 ls failed at call $n"; exit 91; }
  n=$((n+1)); sleep 1
done
echo "calls=$n"`, int(consumerRun.Seconds()), m.Endpoint)
	// --debug: exec --server logs its refreshes (else warnings only).
	cmd := exec.Command(binary, "exec", "--server", "--debug", "--web-identity-token-file", tokenFile,
		"--role-arn", "arn:aws:iam::123456789012:role/minio-ignores-this", "--endpoint-url", m.Endpoint, "--", "sh", "-c", loop)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_DEFAULT_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIAFAKESTALE"}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "calls=") {
		t.Fatalf("%v\n%s", err, out)
	}
	refreshes := strings.Count(string(out), "credentials refreshed")
	t.Logf("AWS CLI under exec --server: %s, %d server refreshes", strings.TrimSpace(string(out[strings.LastIndex(string(out), "calls="):])), refreshes)
	if refreshes < 3 {
		t.Errorf("%d refreshes in 70 s of 30-second sessions, want several", refreshes)
	}
}
