//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/containercreds"
	"github.com/tempcreds/tempcreds/internal/endpointtest"
	"github.com/tempcreds/tempcreds/internal/errorsdoc"
	"github.com/tempcreds/tempcreds/server"
	"github.com/tempcreds/tempcreds/ststest"
)

// badInput is one entry of the catalogue: what was wrong, where, the exit
// code (CLI), HTTP status (server) or 1 for a library error, and the message.
type badInput struct {
	area, input string
	run         func(t *testing.T) (code int, msg string)
	code        int
	want        string
}

// TestBadInputCatalogue is the catalogue of bad inputs across the CLI, the
// library and the server: each gets a clear message and a non-zero exit (or
// status, or error), never a panic, never a secret. docs/errors.md lists
// them; TEMPCREDS_WRITE_ERRORS_DOC=1 rewrites it from this table.
func TestBadInputCatalogue(t *testing.T) {
	t.Parallel()
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("catalogue")
	s.SetMaxSessionDuration("arn:aws:iam::123456789012:role/Short", time.Hour)
	s.AddMFADevice("arn:aws:iam::123456789012:mfa/alice", []byte("fake-totp"))
	const role = "arn:aws:iam::123456789012:role/A"

	// cli runs the binary in a fresh home with the helper's keys, optional
	// extra environment and a setup on the home directory.
	cli := func(extraEnv []string, setup func(home string), args ...string) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			home := t.TempDir()
			if setup != nil {
				setup(home)
			}
			env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
				"AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey,
				"AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}, extraEnv...)
			cmd := exec.Command(binary, args...)
			cmd.Env = env
			cmd.Dir = home
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			return code, stderr.String()
		}
	}
	file := func(name, body string, mode os.FileMode) func(home string) {
		return func(home string) { _ = os.WriteFile(filepath.Join(home, name), []byte(body), mode) }
	}
	warmCache := func(then func(entry string)) func(home string) {
		return func(home string) {
			cmd := exec.Command(binary, "export", "--no-role")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
				"AWS_STS_ACCESS_KEY=" + user.AccessKeyID, "AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey, "AWS_ENDPOINT_URL_STS=" + s.URL,
				"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
			_ = cmd.Run()
			entries, _ := filepath.Glob(filepath.Join(home, "cache", "tempcreds", "*.json"))
			if len(entries) == 1 {
				then(entries[0])
			}
		}
	}
	lib := func(err error) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			if err == nil {
				return 0, ""
			}
			return 1, err.Error()
		}
	}
	remote := func(handler http.HandlerFunc, tokenFile string) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			srv := httptest.NewServer(handler)
			defer srv.Close()
			var token containercreds.TokenSource
			if tokenFile != "" {
				token = containercreds.TokenFile(tokenFile)
			}
			p, err := containercreds.NewURL(context.Background(), srv.URL, token, func(o *containercreds.Options) { o.Retries = -1 })
			if err != nil {
				return 1, err.Error()
			}
			_, err = p.Retrieve(context.Background())
			return lib(err)(t)
		}
	}
	body := func(b string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(b)) }
	}
	srv := server.New(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake", SessionToken: "fake", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	}))
	ln, err := server.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(ln)
	defer func() { _ = srv.Shutdown(context.Background()) }()
	httpCall := func(method, path, host, token string) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			status, code, body, err := endpointtest.Do(method, "http://"+ln.Addr().String()+path, host, token)
			if err != nil {
				t.Fatal(err)
			}
			return code, status + " " + string(body)
		}
	}

	catalogue := []badInput{
		// The library (an error is returned).
		{"library", "NewAssumeRole without a client", lib(func() error { _, err := tempcreds.NewAssumeRole(nil, role); return err }()), 1, "tempcreds: AssumeRole needs an STS client"},
		{"library", "NewAssumeRole with an empty role", lib(func() error { _, err := tempcreds.NewAssumeRole(s.Client(nil), ""); return err }()), 1, "tempcreds: a role ARN is required"},
		{"library", "NewSessionToken with a serial and no callback", lib(func() error {
			_, err := tempcreds.NewSessionToken(s.Client(nil), func(o *tempcreds.SessionTokenOptions) { o.SerialNumber = "arn:aws:iam::123456789012:mfa/alice" })
			return err
		}()), 1, `SerialNumber "arn:aws:iam::123456789012:mfa/alice" is set but no TokenCode callback is: the MFA code cannot be asked for`},
		{"library", "NewWebIdentity without a token source", lib(func() error { _, err := tempcreds.NewWebIdentity(s.Client(nil), role, nil); return err }()), 1, "AssumeRoleWithWebIdentity needs a token source (a file, a command, a callback or a token)"},
		{"library", "a transitive tag key that is not a tag", lib(func() error {
			_, err := tempcreds.NewAssumeRole(s.Client(nil), role, func(o *tempcreds.AssumeRoleOptions) { o.TransitiveTagKeys = []string{"team"} })
			return err
		}()), 1, `TransitiveTagKeys "team" is not one of the session tags`},
		{"library", "a provider handing out nearly expired credentials", lib(func() error {
			_, err := tempcreds.NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", CanExpire: true, Expires: time.Now().Add(5 * time.Second)}, nil
			})).Retrieve(context.Background())
			return err
		}()), 1, "inside the 15s expiry window (is this machine's clock wrong, or is the source serving nearly expired credentials?)"},
		{"library", "a provider that panics", lib(func() error {
			_, err := tempcreds.NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { panic("fake-secret-in-panic") })).Retrieve(context.Background())
			return err
		}()), 1, "tempcreds: the credentials provider panicked: value of type string"},
		{"library", "NewRemote without an endpoint", lib(func() error {
			_, err := containercreds.New(context.Background(), func(o *containercreds.Options) { o.Getenv = func(string) string { return "" } })
			return err
		}()), 1, "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"},
		{"library", "plain http to a non-loopback host", lib(func() error {
			_, err := containercreds.NewURL(context.Background(), "http://10.1.2.3/creds", nil)
			return err
		}()), 1, `container credentials URI "http://10.1.2.3/creds": plain http is only allowed to loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (use https for 10.1.2.3)`},
		{"library", "a container URI that is not http(s)", lib(func() error {
			_, err := containercreds.NewURL(context.Background(), "ftp://127.0.0.1/creds", nil)
			return err
		}()), 1, `container credentials URI "ftp://127.0.0.1/creds" must be http or https`},
		{"library", "a garbage Expiration from the endpoint", remote(body(`{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"tomorrow"}`), ""), 1, `Expiration "tomorrow" is not an RFC 3339 time`},
		{"library", "an endpoint answer missing fields", remote(body(`{"AccessKeyId":"A"}`), ""), 1, "the answer lacks Expiration, SecretAccessKey, Token"},
		{"library", "a 10 MB endpoint answer", remote(body(strings.Repeat(" ", 10<<20)), ""), 1, "the answer is larger than 65536 bytes"},
		{"library", "a missing authorization token file", remote(body(`{}`), "/nonexistent/token"), 1, "reading the authorization token file /nonexistent/token: no such file or directory"},
		{"library", "an endpoint error answer", remote(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"Code":"AccessDenied","Message":"not for you"}`))
		}, ""), 1, "HTTP 403: AccessDenied: not for you"},
		// The server (HTTP status).
		{"server", "a request without the token", httpCall("GET", "/", "", ""), 401, `401 Unauthorized {"Code":"MissingToken","Message":"an Authorization header with the token is required"}`},
		{"server", "a wrong token", httpCall("GET", "/", "", "wrong"), 403, `403 Forbidden {"Code":"InvalidToken","Message":"the Authorization token is wrong"}`},
		{"server", "a token differing in its last byte", httpCall("GET", "/", "", srv.Token()[:63]+string("1a"[boolIndex(srv.Token()[63] == '1')])), 403, `"InvalidToken"`},
		{"server", "a spoofed Host header", httpCall("GET", "/", "evil.example", srv.Token()), 403, `403 Forbidden {"Code":"InvalidHost","Message":"the Host header does not name this server"}`},
		{"server", "a POST", httpCall("POST", "/", "", srv.Token()), 405, `405 Method Not Allowed {"Code":"MethodNotAllowed","Message":"only GET is served"}`},
		{"server", "an unknown path", httpCall("GET", "/other", "", srv.Token()), 404, `404 Not Found {"Code":"NotFound","Message":"no credentials are served at this path"}`},
	}
	// A handful of the command line's table (internal/cli, run in process
	// there) through the real binary: exit codes and messages as a shell
	// sees them.
	throughTheBinary := []badInput{
		{"cli", "an --out path that is a FIFO", cli(nil, func(home string) { _ = syscall.Mkfifo(filepath.Join(home, "fifo"), 0o600) }, "export", "--no-role", "--out", "fifo"), 2, "--out fifo: it exists and is not a regular file (a FIFO); it would be replaced"},
		{"cli", "a credential_process printing malformed JSON with a secret", cli([]string{"AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET="}, file("config", "[profile proc]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"ASIAFAKE\",\"SecretAccessKey\":\"fAkEsEcReTfAkEsEcReT\"'\n", 0o600), "export", "--profile", "proc"), 1, "the credential_process of profile proc printed output that is not valid credentials JSON (its output is not shown"},
		{"cli", "exec of a file that is not executable", cli(nil, file("script", "echo hi\n", 0o600), "exec", "--no-role", "--", "./script"), 126, "./script: permission denied (not executable)"},
		{"cli", "an unknown flag", cli(nil, nil, "export", "--rolearn", role), 2, "unknown flag: --rolearn"},
		{"cli", "an unknown command", cli(nil, nil, "exprot"), 2, `unknown command "exprot" for "tempcreds"`},
		{"cli", "serve with settings that cannot be written", func(t *testing.T) (int, string) {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Fatal("/dev/full: ", err)
			}
			defer f.Close()
			cmd := exec.Command(binary, "serve", "--no-role")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_STS_ACCESS_KEY=" + user.AccessKeyID,
				"AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey, "AWS_ENDPOINT_URL_STS=" + s.URL, "AWS_CONFIG_FILE=/nonexistent"}
			cmd.Stdout = f
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err = cmd.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), stderr.String()
			}
			return 0, stderr.String()
		}, 1, "writing the client settings to standard output"},
		{"cli", "a cache entry owned by another user", cli(nil, warmCache(func(e string) { _ = os.Chown(e, 4242, 4242) }), "export", "--no-role"), 3, "the cache file is owned by uid 4242, not by you"},
	}

	rows := map[string][]string{}
	for _, c := range append(catalogue, throughTheBinary...) {
		code, msg := c.run(t)
		if code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s: got %d %q\nwant %d and %q", c.area, c.input, code, msg, c.code, c.want)
		}
		if code == 0 || strings.Contains(msg, "panic:") || strings.Contains(msg, "goroutine ") {
			t.Errorf("%s: %s: exit 0 or a panic", c.area, c.input)
		}
		for _, secret := range append(s.Secrets(), user.SecretAccessKey, "fake-secret-in-panic") {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: %s: a secret in the message", c.area, c.input)
			}
		}
		rows[c.area] = append(rows[c.area], fmt.Sprintf("| %s | %s | %d | `%s` |", c.area, c.input, c.code, strings.ReplaceAll(c.want, "|", `\|`)))
	}
	// The binary's rows are the command line's table's: its section lists them.
	errorsdoc.Check(t, "../../docs/errors.md", "library", rows["library"])
	errorsdoc.Check(t, "../../docs/errors.md", "server", rows["server"])
	t.Logf("bad-input catalogue: %d library and server inputs, %d through the binary", len(catalogue), len(throughTheBinary))
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
