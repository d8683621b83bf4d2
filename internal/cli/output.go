package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Formats are the --format values of export.
var Formats = []string{"sh", "fish", "powershell", "cmd", "env", "json", "credential-process", "ini", "sts"}

// defaultFormat is the shell's own: sh, or powershell on Windows.
func defaultFormat() string {
	if runtime.GOOS == "windows" {
		return "powershell"
	}
	return "sh"
}

// serveFormats are the --format values of serve: the client settings.
var serveFormats = []string{"sh", "fish", "powershell", "cmd", "env", "json"}

// envVars are the variables a format sets, in order.
func envVars(c aws.Credentials) [][2]string {
	v := [][2]string{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
	}
	if c.SessionToken != "" {
		v = append(v, [2]string{"AWS_SESSION_TOKEN", c.SessionToken})
	}
	if c.CanExpire {
		v = append(v, [2]string{"AWS_CREDENTIAL_EXPIRATION", expiration(c)})
	}
	return v
}

// shQuote quotes s for POSIX shells: single quotes, with ' as '\”.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishQuote quotes s for fish: single quotes, escaping \ and '.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// psQuote quotes s for PowerShell: single quotes, each doubled inside.
// PowerShell also takes U+2018–U+201B as single quotes.
func psQuote(s string) string {
	return "'" + strings.NewReplacer("'", "''", "\u2018", "\u2018\u2018", "\u2019", "\u2019\u2019",
		"\u201a", "\u201a\u201a", "\u201b", "\u201b\u201b").Replace(s) + "'"
}

// dotenvQuote quotes s for dotenv files, which are also sourced by sh:
// double quotes, escaping \ " $ and ` (a backtick would run a command).
func dotenvQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`", "\n", `\n`).Replace(s) + `"`
}

// writeUnsets clears what an earlier export may have left: long-term keys
// (no session token, no expiry) must not be paired with a previous
// session's token, which AWS would refuse as a set.
func writeUnsets(b *strings.Builder, format string, c aws.Credentials) {
	var names []string
	if c.SessionToken == "" {
		names = append(names, "AWS_SESSION_TOKEN")
	}
	if !c.CanExpire {
		names = append(names, "AWS_CREDENTIAL_EXPIRATION")
	}
	for _, n := range names {
		switch format {
		case "sh", "":
			fmt.Fprintf(b, "unset %s\n", n)
		case "fish":
			fmt.Fprintf(b, "set -e %s;\n", n)
		case "powershell":
			fmt.Fprintf(b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", n)
		case "cmd":
			fmt.Fprintf(b, "set %s=\r\n", n)
		case "env":
			fmt.Fprintf(b, "%s=\n", n) // dotenv cannot unset: empty is "none" to the SDKs
		}
	}
}

// cmdSafe reports whether cmd.exe takes v literally inside set "NAME=v"
// (no quote, no % or ! expansion, no escape, no line break).
func cmdSafe(v string) bool { return !strings.ContainsAny(v, "\"%!^\r\n") }

// writeVars prints variables in a shell format (sh, fish, powershell, cmd, env). A
// value cmd.exe cannot take literally is refused for cmd.
func writeVars(b *strings.Builder, format string, vars [][2]string) error {
	for _, kv := range vars {
		switch format {
		case "cmd":
			if !cmdSafe(kv[1]) {
				return usagef("--format cmd: the value of %s has a character cmd.exe would interpret (\" %% ! ^ or a line break): use --format powershell", kv[0])
			}
			fmt.Fprintf(b, "set \"%s=%s\"\r\n", kv[0], kv[1])
		case "sh", "":
			fmt.Fprintf(b, "export %s=%s\n", kv[0], shQuote(kv[1]))
		case "fish":
			fmt.Fprintf(b, "set -gx %s %s;\n", kv[0], fishQuote(kv[1]))
		case "powershell":
			fmt.Fprintf(b, "$Env:%s = %s\n", kv[0], psQuote(kv[1]))
		case "env":
			fmt.Fprintf(b, "%s=%s\n", kv[0], dotenvQuote(kv[1]))
		}
	}
	return nil
}

// writeCredentials prints c in format (one of Formats, checked when the
// flags are parsed); profile names the ini section. Every value is checked
// first (validate.go): anything AWS cannot return is refused, never printed.
func writeCredentials(w io.Writer, format string, c aws.Credentials, profile string) error {
	if err := checkCredentialValues(c); err != nil {
		return err
	}
	var b strings.Builder
	var err error
	switch format {
	case "json", "sts":
		err = writeCredentialsJSON(&b, format, c)
	case "credential-process":
		err = writeProcessJSON(&b, c)
	case "ini":
		err = writeINI(&b, c, profile)
	default: // the shell formats
		if err = writeVars(&b, format, envVars(c)); err == nil {
			writeUnsets(&b, format, c)
		}
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// expiration is when c expires, as every format prints it ("" for never).
func expiration(c aws.Credentials) string {
	if !c.CanExpire {
		return ""
	}
	return c.Expires.UTC().Format(time.RFC3339)
}

// writeCredentialsJSON prints the STS Credentials object (json), or the
// whole STS response as `aws sts assume-role` prints it (sts).
func writeCredentialsJSON(b *strings.Builder, format string, c aws.Credentials) error {
	out := map[string]string{"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey}
	if c.SessionToken != "" {
		out["SessionToken"] = c.SessionToken
	}
	if c.CanExpire {
		out["Expiration"] = expiration(c)
	}
	if format == "sts" {
		return writeJSON(b, map[string]any{"Credentials": out})
	}
	return writeJSON(b, out)
}

// writeProcessJSON prints credential_process output (Version 1).
func writeProcessJSON(b *strings.Builder, c aws.Credentials) error {
	return writeJSON(b, struct {
		Version         int
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string `json:",omitempty"`
		Expiration      string `json:",omitempty"`
		AccountID       string `json:"AccountId,omitempty"`
	}{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: expiration(c), AccountID: c.AccountID})
}

// writeINI prints a ~/.aws/credentials profile block (default: [default]).
func writeINI(b *strings.Builder, c aws.Credentials, profile string) error {
	profile = firstNonEmpty(profile, "default")
	if err := checkProfileName(profile); err != nil {
		return err
	}
	fmt.Fprintf(b, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, c.AccessKeyID, c.SecretAccessKey)
	if c.SessionToken != "" {
		fmt.Fprintf(b, "aws_session_token = %s\n", c.SessionToken)
	}
	if c.CanExpire {
		fmt.Fprintf(b, "# expires %s\n", expiration(c))
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
