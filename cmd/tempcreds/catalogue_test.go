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
	"github.com/tempcreds/tempcreds/internal/endpointtest"
	"github.com/tempcreds/tempcreds/internal/ststest"
	"github.com/tempcreds/tempcreds/server"
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
	fault := func(f ststest.Fault, args ...string) func(t *testing.T) (int, string) {
		run := cli(nil, nil, args...)
		return func(t *testing.T) (int, string) {
			s.InjectFaults(f)
			return run(t)
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
			p, err := tempcreds.NewRemoteURL(context.Background(), srv.URL, "", tokenFile, func(o *tempcreds.RemoteOptions) { o.Retries = -1 })
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
		// The CLI: flags, environment and configuration (exit 2).
		{"cli", "a malformed role ARN", cli(nil, nil, "export", "--role-arn", "arn:aws:iam::role/x"), 2, `--role-arn "arn:aws:iam::role/x" is not a role ARN like arn:aws:iam::123456789012:role/NAME`},
		{"cli", "a malformed --via ARN", cli(nil, nil, "export", "--via", "RoleB", "--role-arn", role), 2, `--via "RoleB" is not a role ARN`},
		{"cli", "a duration below 15 minutes", cli(nil, nil, "export", "--role-arn", role, "--duration", "60"), 2, "--duration 1m0s is outside what STS allows for assume-role (15m0s to 12h0m0s)"},
		{"cli", "a duration above 12 hours for a role", cli(nil, nil, "export", "--role-arn", role, "--duration", "13h"), 2, "--duration 13h0m0s is outside what STS allows for assume-role (15m0s to 12h0m0s)"},
		{"cli", "a duration above 36 hours for a session token", cli(nil, nil, "export", "--no-role", "--duration", "37h"), 2, "outside what STS allows for session-token (15m0s to 36h0m0s)"},
		{"cli", "a duration that is not one", cli(nil, nil, "export", "--no-role", "--duration", "soon"), 2, `--duration "soon" is not a duration: use seconds (3600) or a duration (1h, 90m)`},
		{"cli", "a duration that would overflow", cli(nil, nil, "export", "--no-role", "--duration", "9227000000"), 2, `--duration "9227000000" is more than a year`},
		{"cli", "a zero duration", cli(nil, nil, "export", "--no-role", "--duration", "0"), 2, `--duration "0" must be positive`},
		{"cli", "AWS_ROLE_DURATION_SECONDS that is not a number", cli([]string{"AWS_ROLE_DURATION_SECONDS=12h30x"}, nil, "export", "--no-role"), 2, `AWS_ROLE_DURATION_SECONDS "12h30x" is not a duration`},
		{"cli", "a non-octal AWS_STS_FILE_MODE", cli([]string{"AWS_STS_FILE_MODE=0689"}, nil, "export", "--no-role"), 2, `AWS_STS_FILE_MODE "0689" must be an owner-only octal mode with read-write, 0600 (or 0700)`},
		{"cli", "an AWS_STS_FILE_MODE without owner read-write", cli([]string{"AWS_STS_FILE_MODE=0400"}, nil, "export", "--no-role"), 2, `AWS_STS_FILE_MODE "0400" must be an owner-only octal mode with read-write`},
		{"cli", "a world-writable AWS_STS_FILE_MODE", cli([]string{"AWS_STS_FILE_MODE=0777"}, nil, "export", "--no-role"), 2, `a credentials file readable or writable by others is refused`},
		{"cli", "an AWS_ROLE_ARN that is not an ARN", cli([]string{"AWS_ROLE_ARN=bad"}, nil, "export"), 2, `AWS_ROLE_ARN "bad" is not a role ARN`},
		{"cli", "an AWS_ROLE_DURATION_SECONDS out of range", cli([]string{"AWS_ROLE_DURATION_SECONDS=60"}, nil, "export", "--role-arn", role), 2, "AWS_ROLE_DURATION_SECONDS 1m0s is outside what STS allows"},
		{"cli", "a profile's duration_seconds that is not a number", cli(nil, file("config", "[profile p]\nrole_arn = "+role+"\nsource_profile = k\nduration_seconds = abc\n[profile k]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n", 0o600), "export", "--profile", "p"), 2, `duration_seconds of profile "p" is not a whole number of seconds`},
		{"cli", "a profile's duration_seconds out of range", cli(nil, file("config", "[profile p]\nrole_arn = "+role+"\nsource_profile = k\nduration_seconds = 60\n[profile k]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n", 0o600), "export", "--profile", "p"), 2, `duration_seconds of profile "p" 1m0s is outside what STS allows`},
		{"cli", "an --endpoint-url that is not a URL", cli(nil, nil, "export", "--no-role", "--endpoint-url", "not a url"), 2, `--endpoint-url "not a url" is not an http(s) URL`},
		{"cli", "an AWS_ENDPOINT_URL_STS with a bad scheme", cli([]string{"AWS_ENDPOINT_URL_STS=ftp://sts.example"}, nil, "export", "--no-role"), 2, `AWS_ENDPOINT_URL_STS "ftp://sts.example" is not an http(s) URL`},
		{"cli", "a hostile --ini-profile", cli(nil, nil, "export", "--no-role", "--format", "ini", "--ini-profile", "x]\n[evil"), 2, "--ini-profile"},
		{"cli", "completion for a shell it does not know", cli(nil, nil, "completion", "tcsh"), 2, `completion "tcsh": no such shell; use bash, zsh, fish or powershell`},
		{"cli", "an --out path that is a FIFO", cli(nil, func(home string) { _ = syscall.Mkfifo(filepath.Join(home, "fifo"), 0o600) }, "export", "--no-role", "--out", "fifo"), 2, "--out fifo: it exists and is not a regular file (a FIFO); it would be replaced"},
		{"cli", "an --out path that is a directory", cli(nil, func(home string) { _ = os.Mkdir(filepath.Join(home, "d"), 0o700) }, "export", "--no-role", "--out", "d"), 2, "--out d: it exists and is not a regular file (a directory)"},
		{"cli", "a serve --token-file that is a FIFO", cli(nil, func(home string) { _ = syscall.Mkfifo(filepath.Join(home, "fifo"), 0o600) }, "serve", "--no-role", "--token-file", "fifo"), 2, "--token-file fifo: it exists and is not a regular file (a FIFO)"},
		{"cli", "a web identity token file that is a FIFO", cli(nil, func(home string) { _ = syscall.Mkfifo(filepath.Join(home, "fifo"), 0o600) }, "export", "--role-arn", role, "--web-identity-token-file", "fifo"), 1, "not a regular file (a FIFO, a device or a directory)"},
		{"cli", "a web identity token file that never ends", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-file", "/dev/zero"), 1, "not a regular file (a FIFO, a device or a directory)"},
		{"cli", "a --policy @file that never ends", cli(nil, nil, "export", "--role-arn", role, "--policy", "@/dev/zero"), 2, "--policy @/dev/zero: not a regular file"},
		{"cli", "a token command that prints megabytes", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-command", "yes | head -c 10000000"), 1, "printed more than 65536 bytes: not a token"},
		{"cli", "an AWS config file that is a FIFO", cli(nil, func(home string) { _ = syscall.Mkfifo(filepath.Join(home, "config"), 0o600) }, "export", "--profile", "p"), 2, "is not a regular file (a FIFO, a device or a directory): the AWS config must be a file"},
		{"cli", "a credential_process printing malformed JSON with a secret", cli([]string{"AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET="}, file("config", "[profile proc]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"ASIAFAKE\",\"SecretAccessKey\":\"fAkEsEcReTfAkEsEcReT\"'\n", 0o600), "export", "--profile", "proc"), 1, "the credential_process of profile proc printed output that is not valid credentials JSON (its output is not shown"},
		{"cli", "a credential_process that prints without end", cli([]string{"AWS_STS_ACCESS_KEY=", "AWS_STS_ACCESS_SECRET="}, file("config", "[profile proc]\ncredential_process = yes\n", 0o600), "export", "--profile", "proc"), 1, "the credential_process of profile proc printed more than 65536 bytes: not credentials (it was stopped)"},
		{"cli", "exec of a file that is not executable", cli(nil, file("script", "echo hi\n", 0o600), "exec", "--no-role", "--", "./script"), 126, "./script: permission denied (not executable)"},
		{"cli", "exec of a directory", cli(nil, func(home string) { _ = os.Mkdir(filepath.Join(home, "d"), 0o700) }, "exec", "--no-role", "--", "./d"), 126, "./d: is a directory"},
		{"cli", "an empty AWS_STS_ACCESS_SECRET", cli([]string{"AWS_STS_ACCESS_SECRET="}, nil, "export", "--no-role"), 2, "AWS_STS_ACCESS_KEY and AWS_STS_ACCESS_SECRET must be set together (one is empty)"},
		{"cli", "a missing profile", cli(nil, nil, "export", "--profile", "nope"), 2, `profile "nope" is not in the AWS config or credentials file`},
		{"cli", "a source_profile cycle", cli(nil, file("config", "[profile x]\nrole_arn = "+role+"\nsource_profile = y\n[profile y]\nrole_arn = "+role+"\nsource_profile = x\n", 0o600), "export", "--profile", "x"), 2, `source_profile "x" has no credentials (a source_profile cycle, or a profile without keys)`},
		{"cli", "a config value with an unbalanced quote", cli(nil, file("config", "[profile a]\nrole_arn = \"\n", 0o600), "export", "--profile", "a"), 2, "the AWS config or credentials file could not be parsed (aws-sdk-go-v2's parser failed: look for an unbalanced quote in a value)"},
		{"cli", "an unknown --format", cli(nil, nil, "export", "--no-role", "--format", "yaml"), 2, `--format "yaml" is not one of sh, fish, powershell, env, json, credential-process, ini`},
		{"cli", "a --policy that is not JSON", cli(nil, nil, "export", "--role-arn", role, "--policy", "{oops"), 2, "--policy is not valid JSON (give the JSON, or @FILE)"},
		{"cli", "a --policy @file that does not exist", cli(nil, nil, "export", "--role-arn", role, "--policy", "@/nonexistent/policy.json"), 2, "--policy @/nonexistent/policy.json: no such file or directory"},
		{"cli", "a --tag without a value", cli(nil, nil, "export", "--role-arn", role, "--tag", "team"), 2, `--tag "team" must be KEY=VALUE`},
		{"cli", "the same --tag twice", cli(nil, nil, "export", "--role-arn", role, "--tag", "a=1", "--tag", "a=2"), 2, `--tag "a" is given twice`},
		{"cli", "an MFA code that is not 6 digits", cli(nil, nil, "export", "--no-role", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice", "--mfa-code", "12345"), 2, "--mfa-code must be 6 digits"},
		{"cli", "both --mfa-code and --mfa-command", cli(nil, nil, "export", "--no-role", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice", "--mfa-code", "123456", "--mfa-command", "echo 1"), 2, "give --mfa-code or --mfa-command, not both"},
		{"cli", "an unknown --mfa-mode", cli(nil, nil, "export", "--mfa-mode", "sometimes"), 2, `--mfa-mode "sometimes" must be session or role`},
		{"cli", "an MFA serial that is too short", cli(nil, nil, "export", "--no-role", "--mfa-serial", "short", "--mfa-code", "123456"), 2, `--mfa-serial "short" must be 9 to 256 characters`},
		{"cli", "--no-role with --role-arn", cli(nil, nil, "export", "--no-role", "--role-arn", role), 2, "--no-role cannot be combined with --role-arn or --via"},
		{"cli", "--external-id with --no-role", cli(nil, nil, "export", "--no-role", "--external-id", "xyz"), 2, "--external-id, --policy, --policy-arn, --tag and --source-identity need a role; --no-role uses GetSessionToken"},
		{"cli", "a session policy without a role", cli(nil, nil, "export", "--policy", "{}"), 2, "--external-id, --policy, --policy-arn, --tag and --source-identity need a role: pass --role-arn or set AWS_ROLE_ARN"},
		{"cli", "an invalid role session name", cli(nil, nil, "export", "--role-arn", role, "--role-session-name", "has space"), 2, `--role-session-name "has space" must be 2 to 64 characters of letters, digits and +=,.@_-`},
		{"cli", "an AWS_ROLE_SESSION_NAME that is not one", cli([]string{"AWS_ROLE_SESSION_NAME=has space"}, nil, "export", "--role-arn", role), 2, `AWS_ROLE_SESSION_NAME "has space" must be 2 to 64 characters`},
		{"cli", "a --policy-arn that is not an ARN", cli(nil, nil, "export", "--role-arn", role, "--policy-arn", "ReadOnlyAccess"), 2, `--policy-arn "ReadOnlyAccess" is not an ARN like arn:aws:iam::aws:policy/NAME`},
		{"cli", "an external ID of one character", cli(nil, nil, "export", "--role-arn", role, "--external-id", "x"), 2, "external ID must be 2 to 1224 characters, got 1"},
		{"cli", "an invalid source identity", cli(nil, nil, "export", "--role-arn", role, "--source-identity", "a b"), 2, `--source-identity "a b" must be 2 to 64 characters`},
		{"cli", "eleven --policy-arn", cli(nil, nil, append([]string{"export", "--role-arn", role}, strings.Split(strings.Repeat("--policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess ", 11), " ")[:22]...)...), 2, "11 policy ARNs given; STS allows 10"},
		{"cli", "both a token file and a token command", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-file", "/x", "--web-identity-token-command", "echo x"), 2, "give --web-identity-token-file or --web-identity-token-command, not both"},
		{"cli", "web identity without a role", cli(nil, nil, "export", "--web-identity-token-file", "/x"), 2, "web identity needs a role: pass --role-arn or set AWS_ROLE_ARN"},
		{"cli", "--mfa-serial with web identity", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-file", "/x", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice"), 2, "--mfa-serial cannot be used with web identity"},
		{"cli", "a --min-ttl that is not a duration", cli(nil, nil, "export", "--no-role", "--min-ttl", "lots"), 2, `--min-ttl "lots" is not a duration`},
		{"cli", "an --out path that is a symlink", cli(nil, func(home string) { _ = os.Symlink("/etc/passwd", filepath.Join(home, "out")) }, "export", "--no-role", "--out", "out"), 2, "--out out: it is a symlink; credentials are never written through one"},
		{"cli", "an unknown flag", cli(nil, nil, "export", "--rolearn", role), 2, "unknown flag: --rolearn"},
		{"cli", "an unknown command", cli(nil, nil, "exprot"), 2, `unknown command "exprot" for "tempcreds"`},
		{"cli", "exec without a command", cli(nil, nil, "exec"), 2, "requires at least 1 arg(s), only received 0"},
		{"cli", "exec inside exec", cli([]string{"TEMPCREDS_EXEC=session"}, nil, "exec", "--no-role", "--", "true"), 2, "already inside tempcreds exec (TEMPCREDS_EXEC=session): its credentials are in the environment; pass --allow-nested to nest anyway"},
		{"cli", "exec of a command that does not exist", cli(nil, nil, "exec", "--no-role", "--", "no-such-command-tempcreds"), 127, "no-such-command-tempcreds: command not found"},
		{"cli", "cache clear with a bad key", cli(nil, nil, "cache", "clear", "../../etc"), 2, `"../../etc" is not a cache key (see tempcreds cache list)`},
		{"cli", "serve on a non-loopback address", cli(nil, nil, "serve", "--no-role", "--listen", "0.0.0.0:0"), 2, `refusing to listen on "0.0.0.0:0": not a loopback address; anyone who can reach it and learn the token gets your credentials (pass --allow-remote to do it anyway)`},
		{"cli", "serve on an address without a port", cli(nil, nil, "serve", "--no-role", "--listen", "localhost"), 2, `--listen "localhost": want HOST:PORT, e.g. 127.0.0.1:0`},
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
		{"cli", "serve with a format it cannot print", cli(nil, nil, "serve", "--no-role", "--format", "ini"), 2, `--format "ini": serve prints sh, fish, powershell, env or json`},
		{"cli", "serve with a bad --min-remaining", cli(nil, nil, "serve", "--no-role", "--min-remaining", "soon"), 2, `--min-remaining "soon" is not a duration`},
		// The CLI: cache files and directories (exit 3).
		{"cli", "a symlinked cache entry", cli(nil, warmCache(func(e string) { _ = os.Rename(e, e+".real"); _ = os.Symlink(e+".real", e) }), "export", "--no-role"), 3, "the cache file is a symlink (fix: rm "},
		{"cli", "a group-readable cache entry", cli(nil, warmCache(func(e string) { _ = os.Chmod(e, 0o644) }), "export", "--no-role"), 3, "the cache file's mode 0644 lets others read or write it (fix: chmod 600 "},
		{"cli", "a cache entry owned by another user", cli(nil, warmCache(func(e string) { _ = os.Chown(e, 4242, 4242) }), "export", "--no-role"), 3, "the cache file is owned by uid 4242, not by you"},
		{"cli", "a cache directory owned by another user", cli(nil, func(home string) {
			d := filepath.Join(home, "cache", "tempcreds")
			_ = os.MkdirAll(d, 0o700)
			_ = os.Chown(d, 4242, 4242)
		}, "export", "--no-role"), 3, "the directory is owned by uid 4242, not by you"},
		{"cli", "a world-writable cache directory", cli(nil, func(home string) {
			d := filepath.Join(home, "cache", "tempcreds")
			_ = os.MkdirAll(d, 0o700)
			_ = os.Chmod(d, 0o777)
		}, "export", "--no-role"), 3, "the directory is writable by others (mode 0777) (fix: chmod 700 "},
		// The CLI: STS and the source refuse (exit 1).
		{"cli", "the role refuses the caller", fault(ststest.Fault{Status: 403, Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/catalogue is not authorized to perform: sts:AssumeRole on resource: " + role}, "export", "--role-arn", role, "--duration", "1h", "--no-cache"), 1, "tempcreds: AssumeRole " + role + ": AccessDenied: User: arn:aws:iam::123456789012:user/catalogue is not authorized to perform: sts:AssumeRole"},
		{"cli", "expired source credentials", fault(ststest.Fault{Code: "ExpiredToken"}, "export", "--role-arn", role, "--duration", "1h", "--no-cache"), 1, "ExpiredToken: The security token included in the request is expired (the source credentials have expired: refresh them and retry)"},
		{"cli", "a duration above the role's MaxSessionDuration", cli(nil, nil, "export", "--role-arn", "arn:aws:iam::123456789012:role/Short", "--duration", "2h", "--no-cache"), 1, "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"cli", "an MFA code STS rejects", cli(nil, nil, "export", "--no-role", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice", "--mfa-code", "000000", "--no-cache"), 1, "GetSessionToken: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code."},
		{"cli", "a web identity token file that does not exist", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-file", "/nonexistent/token"), 1, "AssumeRoleWithWebIdentity " + role + ": getting the web identity token: web identity token file /nonexistent/token does not exist (yet?)"},
		{"cli", "a web identity token command that fails", cli(nil, nil, "export", "--role-arn", role, "--web-identity-token-command", "exit 3"), 1, `web identity token command "/bin/sh" failed: exit status 3`},
		{"cli", "an STS that answers garbage", fault(ststest.Fault{Malformed: true}, "export", "--role-arn", role, "--duration", "1h", "--no-cache"), 1, "tempcreds: AssumeRole " + role + ": operation error STS: AssumeRole"},
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
		}()), 1, `transitive tag key "team" is not one of the session tags`},
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
			_, err := tempcreds.NewRemote(context.Background(), func(o *tempcreds.RemoteOptions) { o.Getenv = func(string) string { return "" } })
			return err
		}()), 1, "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"},
		{"library", "plain http to a non-loopback host", lib(func() error {
			_, err := tempcreds.NewRemoteURL(context.Background(), "http://10.1.2.3/creds", "", "")
			return err
		}()), 1, `container credentials URI "http://10.1.2.3/creds": plain http is only allowed to loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (use https for 10.1.2.3)`},
		{"library", "a container URI that is not http(s)", lib(func() error {
			_, err := tempcreds.NewRemoteURL(context.Background(), "ftp://127.0.0.1/creds", "", "")
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

	if len(catalogue) < 60 {
		t.Fatalf("the catalogue has %d entries, want at least 60", len(catalogue))
	}
	doc, _ := os.ReadFile("../../docs/errors.md")
	var rows []string
	for _, c := range catalogue {
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
		rows = append(rows, fmt.Sprintf("| %s | %s | %d | `%s` |", c.area, c.input, c.code, strings.ReplaceAll(c.want, "|", `\|`)))
		if os.Getenv("TEMPCREDS_WRITE_ERRORS_DOC") == "" && !strings.Contains(string(doc), "| "+c.input+" |") {
			t.Errorf("docs/errors.md does not list %q (regenerate with TEMPCREDS_WRITE_ERRORS_DOC=1)", c.input)
		}
	}
	if os.Getenv("TEMPCREDS_WRITE_ERRORS_DOC") != "" {
		text := errorsDocHead + strings.Join(rows, "\n") + "\n"
		if err := os.WriteFile("../../docs/errors.md", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("bad-input catalogue: %d inputs, each a clear message and a non-zero exit", len(catalogue))
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

const errorsDocHead = `# Errors

Every bad input tempcreds knows of, with the message you get (search this page for yours). The
table is checked by ` + "`TestBadInputCatalogue`" + ` (cmd/tempcreds/catalogue_test.go) on every ` + "`make test`" + `,
and rewritten from it with ` + "`TEMPCREDS_WRITE_ERRORS_DOC=1 go test -run Catalogue ./cmd/tempcreds`" + `.

Exit codes of the CLI: 1 STS, the source or the network refused or failed; 2 bad flags,
environment or configuration; 3 an unsafe cache file or directory; 126 exec: the command cannot be run (not executable, a directory); 127 exec: command not found.
"library" rows are errors returned by the Go API (shown as 1); "server" rows are HTTP statuses of
` + "`tempcreds serve`" + `.

| where | input | exit / status | message (the part that does not vary) |
|---|---|---|---|
`
