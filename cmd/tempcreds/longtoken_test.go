//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tempcreds/tempcreds/ststest"
)

// TestA4KiBTokenReachesEveryConsumer asks STS (the fake, which honours
// MinimumSessionTokenSize as STS does since 2026-09) for 4,096-byte session
// tokens with --min-token-size and pushes them through every export format,
// exec and serve to real consumers: bash and dash, Python's JSON parser,
// boto3 (as credential_process, from an ini file and from the container
// endpoint) and the AWS CLI. Each consumer either reads back the exact
// token or signs GetCallerIdentity with it, which the fake STS accepts only
// for the whole token.
func TestA4KiBTokenReachesEveryConsumer(t *testing.T) {
	py := boto3Python(t)
	s := ststest.New()
	defer s.Close()
	user := s.AddUser("long")
	e := env(t, s, user)
	home := t.TempDir()
	args := []string{"--role-arn", role, "--duration", "1h", "--min-token-size", "4096"}
	export := func(format string, extra ...string) string {
		t.Helper()
		out, stderr, err := run(t, e, binary, append(append([]string{"export", "--format", format}, args...), extra...)...)
		if err != nil {
			t.Fatalf("export --format %s: %v\n%s", format, err, stderr)
		}
		return out
	}
	var first map[string]string
	if err := json.Unmarshal([]byte(export("json")), &first); err != nil {
		t.Fatal(err)
	}
	token := first["SessionToken"]
	if len(token) != 4096 {
		t.Fatalf("a session token of %d bytes, want 4096", len(token))
	}
	callerIdentity := fmt.Sprintf(`import boto3,sys
c = boto3.Session(%%s).client("sts", endpoint_url=%q, region_name="us-east-1")
print(c.get_caller_identity()["Arn"])`, s.URL)

	tests := []struct {
		name string
		cmd  []string
		env  []string
		want string // the token itself, or the assumed role's ARN
	}{
		{"sh in bash", []string{"bash", "-c", `eval "$(` + binary + ` export ` + strings.Join(args, " ") + `)"; printf %s "$AWS_SESSION_TOKEN"`}, nil, token},
		{"sh in dash", []string{"dash", "-c", `eval "$(` + binary + ` export ` + strings.Join(args, " ") + `)"; printf %s "$AWS_SESSION_TOKEN"`}, nil, token},
		{"env sourced by sh", []string{"sh", "-c", `set -a; . "$1"; printf %s "$AWS_SESSION_TOKEN"`, "sh", writeOut(t, home, "creds.env", export("env"))}, nil, token},
		{"json by Python", []string{py, "-c", `import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["SessionToken"])`, writeOut(t, home, "creds.json", export("json"))}, nil, token},
		{"sts by Python", []string{py, "-c", `import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["Credentials"]["SessionToken"])`, writeOut(t, home, "sts.json", export("sts"))}, nil, token},
		{"credential-process by boto3", []string{py, "-c", fmt.Sprintf(callerIdentity, `profile_name="lt"`)},
			[]string{"AWS_CONFIG_FILE=" + writeOut(t, home, "config", "[profile lt]\ncredential_process = "+binary+" export --format credential-process "+strings.Join(args, " ")+"\n")},
			"assumed-role/Dev/"},
		{"ini by boto3", []string{py, "-c", fmt.Sprintf(callerIdentity, `profile_name="fromini"`)},
			[]string{"AWS_SHARED_CREDENTIALS_FILE=" + writeOut(t, home, "credentials", export("ini", "--ini-profile", "fromini"))}, "assumed-role/Dev/"},
		{"exec to Python", append(append([]string{binary, "exec"}, args...), "--", py, "-c", `import os,sys; sys.stdout.write(os.environ["AWS_SESSION_TOKEN"])`), nil, token},
		{"exec to the AWS CLI", append(append([]string{binary, "exec"}, args...), "--", "aws", "sts", "get-caller-identity", "--endpoint-url", s.URL, "--region", "us-east-1", "--output", "text", "--query", "Arn"), nil, "assumed-role/Dev/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			environ := append(append([]string(nil), e...), tc.env...)
			out, stderr, err := run(t, environ, tc.cmd[0], tc.cmd[1:]...)
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("%v: got %d bytes (want %q…)\n%s", err, len(out), tc.want[:min(len(tc.want), 24)], stderr)
			}
			if tc.want == token && out != token {
				t.Errorf("the consumer read %d bytes, not the 4096-byte token", len(out))
			}
		})
	}

	// serve: its own session (kept in memory), 4096 bytes, read by boto3's
	// container provider and the AWS CLI, each signing with it.
	vars, _ := startServeIn(t, e, append([]string{"--no-cache"}, args...)...)
	senv := append(append([]string(nil), e...), "AWS_CONTAINER_CREDENTIALS_FULL_URI="+vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
		"AWS_CONTAINER_AUTHORIZATION_TOKEN="+vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
	for name, cmd := range map[string][]string{
		"serve to boto3":       {py, "-c", `import boto3,sys; t = boto3.Session().get_credentials().get_frozen_credentials().token; print(len(t)); ` + strings.ReplaceAll(fmt.Sprintf(callerIdentity, ""), "\n", "; ")},
		"serve to the AWS CLI": {"aws", "sts", "get-caller-identity", "--endpoint-url", s.URL, "--region", "us-east-1", "--output", "text", "--query", "Arn"},
	} {
		out, stderr, err := run(t, senv, cmd[0], cmd[1:]...)
		if err != nil || !strings.Contains(out, "assumed-role/Dev/") || (strings.HasPrefix(name, "serve to boto3") && !strings.HasPrefix(out, "4096\n")) {
			t.Errorf("%s: %v\n%s\n%s", name, err, out, stderr)
		}
	}
}

// writeOut writes a consumer's input file (0600) and returns its path.
func writeOut(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
