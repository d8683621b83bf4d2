package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/internal/errorsdoc"
	"github.com/tempcreds/tempcreds/ststest"
)

// badInput is one bad input of the command line: how to set it up, the
// command, the exit code and the part of the message that does not vary.
type badInput struct {
	input string
	setup []func(h *harness)
	args  []string
	code  int
	want  string
}

// Setups of the table, each on the harness's fresh home (the working
// directory while the row runs) with the helper's keys.
func env(kv ...string) func(h *harness) {
	return func(h *harness) {
		for i := 0; i+1 < len(kv); i += 2 {
			h.env[kv[i]] = kv[i+1]
		}
	}
}
func file(name, body string) func(h *harness) { return func(h *harness) { h.writeFile(name, body) } }
func fifo(name string) func(h *harness) {
	return func(h *harness) { must(h.t, mkfifo(filepath.Join(h.dir, name))) }
}
func dir(name string, mode os.FileMode) func(h *harness) {
	return func(h *harness) {
		must(h.t, os.MkdirAll(filepath.Join(h.dir, name), 0o700))
		must(h.t, os.Chmod(filepath.Join(h.dir, name), mode))
	}
}
func fault(f ststest.Fault) func(h *harness) { return func(h *harness) { h.sts.InjectFaults(f) } }

// warm caches a session token, then does something to its entry.
func warm(then func(h *harness, entry string)) func(h *harness) {
	return func(h *harness) {
		if _, stderr, code := h.run("export", "--no-role"); code != 0 {
			h.t.Fatalf("warming the cache: %s", stderr)
		}
		entries, _ := filepath.Glob(filepath.Join(h.dir, "cache", "tempcreds", "*.json"))
		if len(entries) != 1 {
			h.t.Fatalf("%d cache entries after warming, want 1", len(entries))
		}
		then(h, entries[0])
	}
}

func set(s ...func(h *harness)) []func(h *harness) { return s }

const (
	shortRole  = "arn:aws:iam::123456789012:role/Short"
	keyProfile = "[profile k]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n"
)

// badInputs is the one table of the command line's bad inputs (docs/errors.md
// lists them; TEMPCREDS_WRITE_ERRORS_DOC=1 rewrites its CLI section).
var badInputs = []badInput{
	// Flags, environment and configuration (exit 2).
	{"a malformed role ARN", nil, []string{"export", "--role-arn", "arn:aws:iam::role/x"}, 2, `--role-arn "arn:aws:iam::role/x" is not a role ARN like arn:aws:iam::123456789012:role/NAME`},
	{"a malformed --via ARN", nil, []string{"export", "--via", "RoleB", "--role-arn", roleA}, 2, `--via "RoleB" is not a role ARN`},
	{"a duration below 15 minutes", nil, []string{"export", "--role-arn", roleA, "--duration", "60"}, 2, "--duration 1m0s is outside what STS allows for assume-role (15m0s to 12h0m0s)"},
	{"a duration above 12 hours for a role", nil, []string{"export", "--role-arn", roleA, "--duration", "13h"}, 2, "--duration 13h0m0s is outside what STS allows for assume-role (15m0s to 12h0m0s)"},
	{"a duration above 36 hours for a session token", nil, []string{"export", "--no-role", "--duration", "37h"}, 2, "outside what STS allows for session-token (15m0s to 36h0m0s)"},
	{"a duration that is not one", nil, []string{"export", "--no-role", "--duration", "soon"}, 2, `--duration "soon" is not a duration: use seconds (3600) or a duration (1h, 90m)`},
	{"a duration that would overflow", nil, []string{"export", "--no-role", "--duration", "9227000000"}, 2, `--duration "9227000000" is more than a year`},
	{"a zero duration", nil, []string{"export", "--no-role", "--duration", "0"}, 2, `--duration "0" must be positive`},
	{"AWS_ROLE_DURATION_SECONDS that is not a number", set(env("AWS_ROLE_DURATION_SECONDS", "12h30x")), []string{"export", "--no-role"}, 2, `AWS_ROLE_DURATION_SECONDS "12h30x" is not a duration`},
	{"an AWS_ROLE_DURATION_SECONDS out of range", set(env("AWS_ROLE_DURATION_SECONDS", "60")), []string{"export", "--role-arn", roleA}, 2, "AWS_ROLE_DURATION_SECONDS 1m0s is outside what STS allows"},
	{"a non-octal AWS_STS_FILE_MODE", set(env("AWS_STS_FILE_MODE", "0689")), []string{"export", "--no-role"}, 2, `AWS_STS_FILE_MODE "0689" must be an owner-only octal mode with read-write, 0600 (or 0700)`},
	{"an AWS_STS_FILE_MODE without owner read-write", set(env("AWS_STS_FILE_MODE", "0400")), []string{"export", "--no-role"}, 2, `AWS_STS_FILE_MODE "0400" must be an owner-only octal mode with read-write`},
	{"a group-readable AWS_STS_FILE_MODE", set(env("AWS_STS_FILE_MODE", "0640")), []string{"export", "--no-role"}, 2, `AWS_STS_FILE_MODE "0640" must be an owner-only`},
	{"a world-writable AWS_STS_FILE_MODE", set(env("AWS_STS_FILE_MODE", "0777")), []string{"export", "--no-role"}, 2, `a credentials file readable or writable by others is refused`},
	{"an AWS_ROLE_ARN that is not an ARN", set(env("AWS_ROLE_ARN", "bad")), []string{"export"}, 2, `AWS_ROLE_ARN "bad" is not a role ARN`},
	{"an AWS_ROLE_ARN with a newline never forges a line", set(env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Dev\ntempcreds: all good")), []string{"export"}, 2, `role/Dev\ntempcreds: all good" is not a role ARN`},
	{"a profile's duration_seconds that is not a number", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nduration_seconds = abc\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `duration_seconds of profile "p" is not a whole number of seconds`},
	{"a profile's duration_seconds out of range", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nduration_seconds = 60\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `duration_seconds of profile "p" 1m0s is outside what STS allows`},
	{"an --endpoint-url that is not a URL", nil, []string{"export", "--no-role", "--endpoint-url", "not a url"}, 2, `--endpoint-url "not a url" is not an http(s) URL`},
	{"an AWS_ENDPOINT_URL_STS with a bad scheme", set(env("AWS_ENDPOINT_URL_STS", "ftp://sts.example")), []string{"export", "--no-role"}, 2, `AWS_ENDPOINT_URL_STS "ftp://sts.example" is not an http(s) URL`},
	{"an endpoint URL without a scheme never shows its password", set(env("AWS_ENDPOINT_URL_STS", "user:pa55wordFAKE@127.0.0.1:1")), []string{"export", "--no-role"}, 2, `AWS_ENDPOINT_URL_STS "[REDACTED]@127.0.0.1:1" is not an http(s) URL`},
	{"a malformed endpoint URL never shows its password", set(env("AWS_ENDPOINT_URL_STS", "http://user:pa55 wordFAKE@127.0.0.1:1")), []string{"export", "--no-role"}, 2, `AWS_ENDPOINT_URL_STS "http://[REDACTED]@127.0.0.1:1"`},
	{"an AWS_REGION that is not a region", set(env("AWS_REGION", "bad region")), []string{"export", "--no-role"}, 2, `AWS_REGION "bad region" is not a region like us-east-1`},
	{"a --region that is not a region", nil, []string{"export", "--no-role", "--region", "us east"}, 2, `--region "us east" is not a region`},
	{"a hostile --ini-profile", nil, []string{"export", "--no-role", "--format", "ini", "--ini-profile", "x]\n[evil"}, 2, "--ini-profile"},
	{"completion for a shell it does not know", nil, []string{"completion", "tcsh"}, 2, `completion "tcsh": no such shell; use bash, zsh, fish or powershell`},
	{"an --out path that is a FIFO", set(fifo("fifo")), []string{"export", "--no-role", "--out", "fifo"}, 2, "--out fifo: it exists and is not a regular file (a FIFO); it would be replaced"},
	{"an --out path that is a directory", set(dir("d", 0o700)), []string{"export", "--no-role", "--out", "d"}, 2, "--out d: it exists and is not a regular file (a directory)"},
	{"an --out path that is a symlink", set(func(h *harness) { must(h.t, os.Symlink("/etc/passwd", filepath.Join(h.dir, "out"))) }), []string{"export", "--no-role", "--out", "out"}, 2, "--out out: it is a symlink; credentials are never written through one"},
	{"a serve --token-file that is a FIFO", set(fifo("fifo")), []string{"serve", "--no-role", "--token-file", "fifo"}, 2, "--token-file fifo: it exists and is not a regular file (a FIFO)"},
	{"a --policy @file that never ends", nil, []string{"export", "--role-arn", roleA, "--policy", "@/dev/zero"}, 2, "--policy @/dev/zero: not a regular file"},
	{"an AWS config file that is a FIFO", set(fifo("config")), []string{"export", "--profile", "p"}, 2, "is not a regular file (a FIFO, a device or a directory): the AWS config must be a file"},
	{"an empty AWS_STS_ACCESS_SECRET", set(env("AWS_STS_ACCESS_SECRET", "")), []string{"export", "--no-role"}, 2, "AWS_STS_ACCESS_KEY and AWS_STS_ACCESS_SECRET must be set together (one is empty)"},
	{"a missing profile", nil, []string{"export", "--profile", "nope"}, 2, `profile "nope" is not in the AWS config or credentials file`},
	{"a source_profile cycle", set(file("config", "[profile x]\nrole_arn = "+roleA+"\nsource_profile = y\n[profile y]\nrole_arn = "+roleB+"\nsource_profile = x\n")), []string{"export", "--profile", "x"}, 2, `has no credentials (a source_profile cycle, or a profile without keys)`},
	{"a config value with an unbalanced quote", set(file("config", "[profile a]\nrole_arn = \"\n")), []string{"export", "--profile", "a"}, 2, "the AWS config or credentials file could not be parsed (aws-sdk-go-v2's parser failed: look for an unbalanced quote in a value)"},
	{"an unknown --format", nil, []string{"export", "--no-role", "--format", "yaml"}, 2, `--format "yaml" is not one of sh, fish, powershell, cmd, env, json, credential-process, ini, sts`},
	{"a --policy that is not JSON", nil, []string{"export", "--role-arn", roleA, "--policy", "{oops"}, 2, "--policy is not valid JSON (give the JSON, or @FILE)"},
	{"a --policy @file that does not exist", nil, []string{"export", "--role-arn", roleA, "--policy", "@/nonexistent/policy.json"}, 2, "--policy @/nonexistent/policy.json: no such file or directory"},
	{"a --tag without a value", nil, []string{"export", "--role-arn", roleA, "--tag", "team"}, 2, `--tag "team" must be KEY=VALUE`},
	{"the same --tag twice", nil, []string{"export", "--role-arn", roleA, "--tag", "a=1", "--tag", "a=2"}, 2, `--tag "a" is given twice`},
	{"an MFA code that is not 6 digits", nil, []string{"export", "--no-role", "--mfa-serial", mfa, "--mfa-code", "12345"}, 2, "--mfa-code must be 6 digits"},
	{"both --mfa-code and --mfa-command", nil, []string{"export", "--no-role", "--mfa-serial", mfa, "--mfa-code", "123456", "--mfa-command", "echo 1"}, 2, "give --mfa-code or --mfa-command, not both"},
	{"an unknown --mfa-mode", nil, []string{"export", "--mfa-mode", "sometimes"}, 2, `--mfa-mode "sometimes" must be session or role`},
	{"an MFA serial that is too short", nil, []string{"export", "--no-role", "--mfa-serial", "short", "--mfa-code", "123456"}, 2, `--mfa-serial "short" must be 9 to 256 characters`},
	{"--no-role with --role-arn", nil, []string{"export", "--no-role", "--role-arn", roleA}, 2, "--no-role cannot be combined with --role-arn or --via"},
	{"--external-id with --no-role", nil, []string{"export", "--no-role", "--external-id", "xyz"}, 2, "--external-id, --policy, --policy-arn, --tag and --source-identity need a role; --no-role uses GetSessionToken"},
	{"a session policy without a role", nil, []string{"export", "--policy", "{}"}, 2, "--external-id, --policy, --policy-arn, --tag and --source-identity need a role: pass --role-arn or set AWS_ROLE_ARN"},
	{"an invalid role session name", nil, []string{"export", "--role-arn", roleA, "--role-session-name", "has space"}, 2, `--role-session-name "has space" must be 2 to 64 characters of letters, digits and +=,.@_-`},
	{"an AWS_ROLE_SESSION_NAME that is not one", set(env("AWS_ROLE_SESSION_NAME", "has space")), []string{"export", "--role-arn", roleA}, 2, `AWS_ROLE_SESSION_NAME "has space" must be 2 to 64 characters`},
	{"a --policy-arn that is not an ARN", nil, []string{"export", "--role-arn", roleA, "--policy-arn", "ReadOnlyAccess"}, 2, `--policy-arn "ReadOnlyAccess" is not an ARN like arn:aws:iam::aws:policy/NAME`},
	{"an external ID of one character", nil, []string{"export", "--role-arn", roleA, "--external-id", "x"}, 2, "--external-id must be 2 to 1224 characters, got 1"},
	{"a flag given an empty value", nil, []string{"export", "--role-arn", ""}, 2, "--role-arn is empty: give it a value or leave it out"},
	{"an --out given an empty value", nil, []string{"export", "--no-role", "--out="}, 2, "--out is empty: give it a value or leave it out"},
	{"a role ARN longer than 2048 characters", nil, []string{"export", "--role-arn", "arn:aws:iam::123456789012:role/" + strings.Repeat("x", 2100)}, 2, "--role-arn is 2131 characters, longer than a role ARN may be (2048)"},
	{"a negative --min-ttl", nil, []string{"export", "--no-role", "--min-ttl", "-5m"}, 2, `--min-ttl "-5m" must be positive`},
	{"a profile's role_arn that is not an ARN", set(file("config", "[profile p]\nrole_arn = arn:aws:iam::role/bad\nsource_profile = k\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `role_arn of profile "p" "arn:aws:iam::role/bad" is not a role ARN`},
	{"a profile's role_session_name that is not one", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nrole_session_name = has space\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `role_session_name of profile "p" "has space" must be 2 to 64 characters`},
	{"a profile's mfa_serial that is too short", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nmfa_serial = short\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `mfa_serial of profile "p" "short" must be 9 to 256 characters`},
	{"a profile's external_id of one character", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nexternal_id = x\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `external_id of profile "p" must be 2 to 1224 characters, got 1`},
	{"a profile's region that is not one", set(file("config", "[profile p]\nregion = bad region\nrole_arn = "+roleA+"\nsource_profile = k\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `region of profile "p" "bad region" is not a region`},
	{"an AWS_PROFILE that does not exist", set(env("AWS_STS_ACCESS_KEY", "", "AWS_STS_ACCESS_SECRET", "", "AWS_PROFILE", "nope")), []string{"export"}, 2, `AWS_PROFILE "nope" is not in the AWS config or credentials file`},
	{"an extra argument to completion", nil, []string{"completion", "bash", "extra"}, 2, `unknown command "extra" for "tempcreds completion bash"`},
	{"help on a topic that does not exist", nil, []string{"help", "nosuch"}, 2, `no help topic "nosuch"`},
	{"an invalid source identity", nil, []string{"export", "--role-arn", roleA, "--source-identity", "a b"}, 2, `--source-identity "a b" must be 2 to 64 characters`},
	{"eleven --policy-arn", nil, append([]string{"export", "--role-arn", roleA}, strings.Split(strings.Repeat("--policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess ", 11), " ")[:22]...), 2, "11 policy ARNs given; STS allows 10"},
	{"both a token file and a token command", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-file", "/x", "--web-identity-token-command", "echo x"}, 2, "give --web-identity-token-file or --web-identity-token-command, not both"},
	{"web identity without a role", nil, []string{"export", "--web-identity-token-file", "/x"}, 2, "web identity needs a role: pass --role-arn or set AWS_ROLE_ARN"},
	{"--mfa-serial with web identity", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-file", "/x", "--mfa-serial", mfa}, 2, "--mfa-serial cannot be used with web identity"},
	{"a --min-token-size above 4096", nil, []string{"export", "--no-role", "--min-token-size", "5000"}, 2, "--min-token-size 5000 is outside what STS accepts (0 to 4096 bytes)"},
	{"a --min-token-size that is not a number", nil, []string{"export", "--no-role", "--min-token-size", "big"}, 2, `invalid argument "big" for "--min-token-size" flag`},
	{"a --source-process-ttl under a minute", nil, []string{"export", "--source-process", "echo {}", "--source-process-ttl", "1s"}, 2, "--source-process-ttl 1s is shorter than a minute"},
	{"a --source-process-ttl without a source process", nil, []string{"export", "--no-role", "--source-process-ttl", "1h"}, 2, "--source-process-ttl needs a source process (--source-process, or a profile's credential_process)"},
	{"a role's settings for a source process used as it is", nil, []string{"export", "--source-process", "echo {}", "--tag", "a=b"}, 2, "need a role: the source process gives its credentials as they are"},
	{"a role session name for a source process used as it is", nil, []string{"export", "--source-process", "echo {}", "--role-session-name", "dev"}, 2, "need a role: the source process gives its credentials as they are"},
	{"serve of long-term keys", nil, []string{"serve", "--source-process", `echo '{"Version":1,"AccessKeyId":"AKIAFAKELONGTERM","SecretAccessKey":"fAkEsEcReTfAkEsEcReT"}'`}, 2, "serve hands out temporary credentials only"},
	{"a profile's session_tags with a key twice", set(file("config", "[profile p]\nrole_arn = "+roleA+"\nsource_profile = k\nsession_tags = a=1,a=2\n"+keyProfile)), []string{"export", "--profile", "p"}, 2, `session_tags of profile "p": the key "a" is given twice`},
	{"a --tag key AWS reserves", nil, []string{"export", "--role-arn", roleA, "--tag", "aws:x=1"}, 2, `--tag: the key "aws:x" starts with aws:, which AWS reserves`},
	{"--source-process with --profile", nil, []string{"export", "--source-process", "echo {}", "--profile", "p"}, 2, "give one source: --source-process, a web identity token, --profile or AWS_STS_ACCESS_KEY"},
	{"a --source-process-ttl that is not a duration", nil, []string{"export", "--source-process", "echo {}", "--source-process-ttl", "long"}, 2, `--source-process-ttl "long" is not a duration`},
	{"a --min-ttl that is not a duration", nil, []string{"export", "--no-role", "--min-ttl", "lots"}, 2, `--min-ttl "lots" is not a duration`},
	{"an unknown flag", nil, []string{"export", "--rolearn", roleA}, 2, "unknown flag: --rolearn"},
	{"a flag without its value", nil, []string{"export", "--role-arn"}, 2, "flag needs an argument: --role-arn"},
	{"an unknown command", nil, []string{"exprot"}, 2, `unknown command "exprot" for "tempcreds"`},
	{"an unknown cache command", nil, []string{"cache", "lsit"}, 2, `unknown command "lsit" for "tempcreds cache"`},
	{"an argument to a command that takes none", nil, []string{"export", "extra"}, 2, `unknown command "extra" for "tempcreds export"`},
	{"exec with two words before --", nil, []string{"exec", "dev", "prod", "--", "true"}, 2, `exec takes one PROFILE before "--", not 2 words (dev prod)`},
	{"exec with a profile given twice", nil, []string{"exec", "--profile", "dev", "prod", "--", "true"}, 2, "the profile is given twice (--profile dev and prod)"},
	{"exec with a positional profile that does not exist", nil, []string{"exec", "no-such-profile", "--", "true"}, 2, `exec: no profile "no-such-profile" in `},
	{"exec with a command but no profile and no --", nil, []string{"exec", "aws", "s3", "ls"}, 2, `exec took "aws" as the profile, and no profile of that name is in `},
	{"exec inside exec", set(env("TEMPCREDS_EXEC", "session")), []string{"exec", "--no-role", "--", "true"}, 2, "already inside tempcreds exec (TEMPCREDS_EXEC=session): its credentials are in the environment; pass --allow-nested to nest anyway"},
	{"cache clear with a bad key", nil, []string{"cache", "clear", "../../etc"}, 2, `cache clear "../../etc": no cache key, key prefix or profile of that name`},
	{"cache clear --profile of no profile", nil, []string{"cache", "clear", "--profile", "nope"}, 2, `--profile "nope": no such profile and no cache entry made for it`},
	{"cache clear with a key prefix nothing starts with", nil, []string{"cache", "clear", "abcd"}, 2, `no cache key, key prefix or profile of that name`},
	{"serve on a non-loopback address", nil, []string{"serve", "--no-role", "--listen", "0.0.0.0:0"}, 2, `refusing to listen on "0.0.0.0:0": not a loopback address; anyone who can reach it and learn the token gets your credentials (set --allow-remote to do it anyway)`},
	{"serve on an address without a port", nil, []string{"serve", "--no-role", "--listen", "localhost"}, 2, `--listen "localhost": want HOST:PORT, e.g. 127.0.0.1:0`},
	{"serve with a format it cannot print", nil, []string{"serve", "--no-role", "--format", "ini"}, 2, `--format "ini": serve prints sh, fish, powershell, cmd, env or json`},
	{"serve with a bad --min-remaining", nil, []string{"serve", "--no-role", "--min-remaining", "soon"}, 2, `--min-remaining "soon" is not a duration`},
	{"a bad --path for serve", nil, []string{"serve", "--no-role", "--path", "bad"}, 2, `--path "bad" must be NAME=PROFILE`},
	// Running the command (exit 126, 127).
	{"exec of a file that is not executable", set(file("script", "echo hi\n")), []string{"exec", "--no-role", "--", "./script"}, 126, "./script: permission denied (not executable)"},
	{"exec of a directory", set(dir("d", 0o700)), []string{"exec", "--no-role", "--", "./d"}, 126, "./d: is a directory"},
	{"exec of a command that does not exist", nil, []string{"exec", "--no-role", "--", "no-such-command-tempcreds"}, 127, "no-such-command-tempcreds: command not found"},
	// Cache files and directories (exit 3).
	{"a symlinked cache entry", set(warm(func(h *harness, e string) { must(h.t, os.Rename(e, e+".real")); must(h.t, os.Symlink(e+".real", e)) })), []string{"export", "--no-role"}, 3, "the cache file is a symlink (fix: rm "},
	{"a group-readable cache entry", set(warm(func(h *harness, e string) { must(h.t, os.Chmod(e, 0o644)) })), []string{"export", "--no-role"}, 3, "the cache file's mode 0644 lets others read or write it (fix: chmod 600 "},
	{"a cache entry owned by another user", set(warm(func(h *harness, e string) { must(h.t, os.Chown(e, 4242, 4242)) })), []string{"export", "--no-role"}, 3, "the cache file is owned by uid 4242, not by you"},
	{"a cache directory owned by another user", set(dir("cache/tempcreds", 0o700), func(h *harness) { must(h.t, os.Chown(filepath.Join(h.dir, "cache", "tempcreds"), 4242, 4242)) }), []string{"export", "--no-role"}, 3, "the directory is owned by uid 4242, not by you"},
	{"a world-writable cache directory", set(dir("cache/tempcreds", 0o777)), []string{"export", "--no-role"}, 3, "the directory is writable by others (mode 0777) (fix: chmod 700 "},
	// STS and the source refuse (exit 1).
	{"the role refuses the caller", set(fault(ststest.Fault{Status: 403, Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: " + roleA})), []string{"export", "--role-arn", roleA, "--duration", "1h", "--no-cache"}, 1, "tempcreds: AssumeRole " + roleA + ": AccessDenied: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole"},
	{"an STS message with a newline and a bidi override is escaped", set(fault(ststest.Fault{Status: 403, Code: "AccessDenied", Message: "denied\ntempcreds: forged line \u202eevil"})), []string{"export", "--role-arn", roleA, "--no-cache"}, 1, `denied\u000atempcreds: forged line \u202eevil`},
	{"expired source credentials", set(fault(ststest.Fault{Code: "ExpiredToken"})), []string{"export", "--role-arn", roleA, "--duration", "1h", "--no-cache"}, 1, "ExpiredToken: The security token included in the request is expired (the source credentials have expired: refresh them and retry)"},
	{"a duration above the role's MaxSessionDuration", set(func(h *harness) { h.sts.SetMaxSessionDuration(shortRole, time.Hour) }), []string{"export", "--role-arn", shortRole, "--duration", "2h", "--no-cache"}, 1, "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	{"an MFA code STS rejects", nil, []string{"export", "--no-role", "--mfa-serial", mfa, "--mfa-code", "000000", "--no-cache"}, 1, "GetSessionToken: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code."},
	{"a web identity token file that does not exist", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-file", "/nonexistent/token"}, 1, "AssumeRoleWithWebIdentity " + roleA + ": getting the web identity token: web identity token file /nonexistent/token does not exist (yet?)"},
	{"a web identity token file that is a FIFO", set(fifo("fifo")), []string{"export", "--role-arn", roleA, "--web-identity-token-file", "fifo"}, 1, "not a regular file (a FIFO, a device or a directory)"},
	{"a web identity token file that never ends", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-file", "/dev/zero"}, 1, "not a regular file (a FIFO, a device or a directory)"},
	{"a web identity token command that fails", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-command", "exit 3"}, 1, `web identity token command "/bin/sh" failed: exit status 3`},
	{"a token command that prints megabytes", nil, []string{"export", "--role-arn", roleA, "--web-identity-token-command", "yes | head -c 10000000"}, 1, "printed more than 65536 bytes: not a token"},
	{"a credential_process printing malformed JSON with a secret", set(env("AWS_STS_ACCESS_KEY", "", "AWS_STS_ACCESS_SECRET", ""), file("config", "[profile proc]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"ASIAFAKE\",\"SecretAccessKey\":\"fAkEsEcReTfAkEsEcReT\"'\n")), []string{"export", "--profile", "proc"}, 1, "the credential_process of profile proc printed output that is not valid credentials JSON (its output is not shown"},
	{"a credential_process that prints without end", set(env("AWS_STS_ACCESS_KEY", "", "AWS_STS_ACCESS_SECRET", ""), file("config", "[profile proc]\ncredential_process = yes\n")), []string{"export", "--profile", "proc"}, 1, "the credential_process of profile proc printed more than 65536 bytes: not credentials (it was stopped)"},
	{"a --source-process that fails", nil, []string{"export", "--source-process", "exit 4"}, 1, "the source process failed: exit status 4"},
	{"a --source-process printing malformed JSON with a secret", nil, []string{"export", "--source-process", `printf '{"Version":1,"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fAkEsEcReTfAkEsEcReT"'`}, 1, "the source process printed output that is not valid credentials JSON (its output is not shown"},
	{"a --source-process printing JSON without Version 1", nil, []string{"export", "--source-process", `echo '{"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fAkEsEcReTfAkEsEcReT"}'`}, 1, "the source process printed JSON without Version 1, AccessKeyId and SecretAccessKey"},
	{"a --source-process printing characters AWS never returns", nil, []string{"export", "--source-process", `echo '{"Version":1,"AccessKeyId":"ASIAFAKE","SecretAccessKey":"bad;quote","SessionToken":"tok","Expiration":"2999-01-01T00:00:00Z"}'`}, 1, "the source process printed credentials tempcreds refuses: SecretAccessKey holds a character AWS never returns"},
	{"a --source-process printing credentials that already expired", nil, []string{"export", "--source-process", `echo '{"Version":1,"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fAkEsEcReTfAkEsEcReT","SessionToken":"tok","Expiration":"2001-01-01T00:00:00Z"}'`}, 1, "the source process printed credentials that expired at 2001-01-01T00:00:00Z"},
	{"a cache entry edited to hold a character AWS never returns", set(warm(func(h *harness, e string) {
		b, err := os.ReadFile(e)
		must(h.t, err)
		must(h.t, os.WriteFile(e, []byte(strings.Replace(string(b), `"SecretAccessKey":"`, `"SecretAccessKey":"%`, 1)), 0o600))
	})), []string{"export", "--no-role"}, 0, "ignoring corrupt cache entry"},
	{"a --source-process printing a bad Expiration", nil, []string{"export", "--source-process", `echo '{"Version":1,"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fAkEsEcReTfAkEsEcReT","Expiration":"soon"}'`}, 1, "the source process printed an Expiration that is not an RFC 3339 time"},
	{"an IAM Identity Center session that cannot be refreshed", set(func(h *harness) {
		hu := humanSetup(h)
		writeSSOToken(h.t, h, hu, "corp", "fake-access-old", "fake-refresh-revoked", time.Now().Add(-time.Minute))
		hu.Revoke("fake-refresh-revoked")
	}), []string{"export", "--profile", "dev", "--duration", "1h"}, 1, "the sso session of profile sso failed: "},
	{"an aws login session that cannot be refreshed", set(func(h *harness) {
		hu := humanSetup(h)
		writeLoginToken(h.t, h, hu, "fake-refresh-revoked", time.Now().Add(-time.Minute))
		hu.Revoke("fake-refresh-revoked")
	}), []string{"export", "--profile", "from-login", "--duration", "1h"}, 1, "session has expired, please reauthenticate (if it expired, run `aws login --profile login` and retry)"},
	{"an STS that answers garbage", set(fault(ststest.Fault{Malformed: true})), []string{"export", "--role-arn", roleA, "--duration", "1h", "--no-cache"}, 1, "tempcreds: AssumeRole " + roleA + ": operation error STS: AssumeRole"},
	{"session credentials in the environment signing GetSessionToken", set(env("AWS_STS_ACCESS_KEY", "", "AWS_STS_ACCESS_SECRET", "",
		"AWS_ACCESS_KEY_ID", "ASIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY", "fAkEsEcReTfAkEsEcReT", "AWS_SESSION_TOKEN", "fake-session-token")),
		[]string{"export"}, 2, "AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN hold session credentials (an earlier tempcreds export?), and AWS refuses GetSessionToken signed with them"},
	{"a credential_process that runs tempcreds for the profile it resolves", set(file("config", "[profile loop]\ncredential_process = tempcreds export --profile loop --format credential-process\n"),
		env("TEMPCREDS_RESOLVING", "other\x1floop")), []string{"export", "--profile", "loop"}, 2,
		`--profile "loop" is already being resolved by the tempcreds that runs this one (its credential_process calls tempcreds for the same profile: a loop)`},
	{"an STS endpoint that refuses connections", set(env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")), []string{"export", "--no-role", "--no-cache"}, 1,
		"tempcreds: GetSessionToken: cannot reach STS at http://127.0.0.1:1/: connect: connection refused; set the endpoint with --endpoint-url or AWS_ENDPOINT_URL_STS"},
	{"a profile's credential_source that no SDK knows", set(file("config", "[profile mars]\ncredential_source = Mars\nrole_arn = "+roleA+"\n")),
		[]string{"export", "--profile", "mars"}, 2, `credential_source of profile "mars" "Mars" is not one of Environment, Ec2InstanceMetadata or EcsContainer`},
	{"--mfa-code with no MFA device in use", nil, []string{"export", "--no-role", "--mfa-code", "123456"}, 2, "--mfa-code is given, but no MFA device is in use: give --mfa-serial, or a profile with mfa_serial"},
	{"--mfa-command with no MFA device in use", nil, []string{"export", "--no-role", "--mfa-command", "echo 123456"}, 2, "--mfa-command is given, but no MFA device is in use"},
	{"--cache-dir with --no-cache", nil, []string{"export", "--no-role", "--no-cache", "--cache-dir", "d"}, 2, "--no-cache reads and writes no cache: give it or --cache-dir/--cache-file, not both"},
	{"a serve --path given twice", nil, []string{"serve", "--no-role", "--path", "d=p", "--path", "d=q"}, 2, `--path "d=q": the path /profiles/d is given twice`},
	// Recovered from, with a warning (exit 0).
	{"a secret wrapped onto a line of its own in a profile", set(func(h *harness) {
		h.writeFile("credentials", fmt.Sprintf("[k]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
		h.writeFile("config", "[profile w]\nrole_arn = "+roleA+"\nsource_profile = k\nexternal_id = fake-wrapped-value-that-is-long\nDaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789SecretTokenTail/+abcQ==\n")
	}), []string{"export", "--profile", "w", "--duration", "1h"}, 0, `profile "w": a line is not a setting (not shown: it may hold a secret)`},
	{"a corrupt cache entry", set(warm(func(h *harness, e string) { must(h.t, os.WriteFile(e, []byte("{corrupt"), 0o600)) })), []string{"export", "--no-role"}, 0, "ignoring corrupt cache entry"},
	{"an endpoint URL with a password under --debug", set(func(h *harness) {
		h.env["AWS_ENDPOINT_URL_STS"] = strings.Replace(h.env["AWS_ENDPOINT_URL_STS"], "http://", "http://admin:fake-pass-123@", 1)
	}), []string{"export", "--no-role", "--debug"}, 0, "http://[REDACTED]@"},
}

// TestBadInput runs every row in process: the exit code and message, one
// line only (a value never forges a line of ours), nothing on stdout on
// failure, and no secret anywhere.
func TestBadInput(t *testing.T) {
	var rows []string
	for _, tc := range badInputs {
		t.Run(tc.input, func(t *testing.T) {
			h := newHarness(t).withKeys()
			t.Chdir(h.dir)
			for _, s := range tc.setup {
				s(h)
			}
			out, stderr, code := h.run(tc.args...)
			lines := 0 // of ours: the server's log lines (time=...) aside
			for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(l, "time=") {
					lines++
				}
			}
			if tc.code != 0 && lines > 1 && !strings.Contains(stderr, "--help") {
				t.Errorf("an error printed on several lines (a value forged one?): %q", stderr)
			}
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if tc.code != 0 && out != "" {
				t.Errorf("stdout on failure: %q", out)
			}
			if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("a panic: %s", stderr)
			}
			onePrefixPerLine(t, stderr, h.inputs(tc.args))
			h.noSecrets(stderr)
			for _, secret := range append(h.sts.Secrets(), "fAkEsEcReTfAkEsEcReT", "pa55wordFAKE", "fake-pass-123") {
				if strings.Contains(stderr, secret) {
					t.Errorf("a secret in the message: %q", stderr)
				}
			}
		})
		rows = append(rows, fmt.Sprintf("| cli | %s | %d | `%s` |", tc.input, tc.code, strings.ReplaceAll(tc.want, "|", `\|`)))
	}
	errorsdoc.Check(t, "../../docs/errors.md", "cli", rows)
}

// inputs is what a row gives tempcreds: its arguments and environment.
func (h *harness) inputs(args []string) string {
	text := strings.Join(args, " ")
	for _, v := range h.env {
		text += " " + v
	}
	return text
}

// onePrefixPerLine checks that every line of ours starts with "tempcreds: "
// and says it once: the prefix is added in one place, never on top of a
// message that has it already, in front or after a wrapping "...: " (a
// "tempcreds:" inside a given value aside; a path or command may end in
// "tempcreds").
func onePrefixPerLine(t *testing.T, stderr, inputs string) {
	t.Helper()
	given := strings.Count(inputs, "tempcreds:")
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l == "" || strings.HasPrefix(l, "time=") || strings.HasPrefix(l, "Run 'tempcreds") {
			continue // the server's log lines, and the help hint
		}
		rest, ok := strings.CutPrefix(l, "tempcreds: ")
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "warning: "), "debug: ")
		if !ok || strings.HasPrefix(rest, "tempcreds:") || strings.Count(rest, ": tempcreds:") > given {
			t.Errorf("want one \"tempcreds: \" in front of the line, got %q", l)
		}
	}
}
