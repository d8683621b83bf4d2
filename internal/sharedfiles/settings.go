// Package sharedfiles reads the AWS shared config and credentials files for
// the CLI: the profile names (completion, tempcreds profiles), which keys
// each profile sets (never their values), and the settings a child of exec
// --server gets.
//
// Settings writes the AWS config a child of `tempcreds exec
// --server` reads: the non-credential settings of the profile it was
// given (region, output, retry and s3 settings, endpoints, ca_bundle, cli_*
// and every other key), as its [default] profile, and nothing from which an
// SDK could take credentials. Every SDK reads the shared files before the
// container endpoint: with the user's own files, keys in [default] or a
// profile's role_arn would win over the server; with none, the child loses
// the profile's region and the rest of its settings.
package sharedfiles

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/tempcreds/tempcreds/internal/bounded"
)

// credentialKeys are the profile keys from which some SDK or tool takes
// credentials, or chooses where to get them: never copied.
var credentialKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`aws_access_key_id aws_secret_access_key aws_session_token aws_security_token
		aws_account_id role_arn source_profile credential_source credential_process web_identity_token_file
		role_session_name external_id mfa_serial duration_seconds sso_session sso_account_id sso_region
		sso_role_name sso_start_url sso_registration_scopes login_session source_identity session_tags
		transitive_session_tags mfa_process`) {
		credentialKeys[k] = true
	}
}

// section is one [header] of the file with its lines as written.
type section struct {
	header string // "default", "profile dev", "services s3-local", "sso-session x"
	lines  []string
}

// parse reads the sections of an AWS config file, keeping their lines.
func parse(b []byte) []section {
	var out []section
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), int(bounded.ConfigFile))
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			out = append(out, section{header: strings.Join(strings.Fields(t[1:len(t)-1]), " ")})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].lines = append(out[len(out)-1].lines, line)
		}
	}
	return out
}

// Settings returns a config file holding profile's non-credential settings
// as [default], and any [services NAME] section they name. profile ""
// (or "default") is the default profile. A missing or unreadable file
// gives an empty config: the child then has no settings, as before.
func Settings(configFile, profile string) []byte {
	b, err := bounded.ReadFile(configFile, bounded.ConfigFile)
	if err != nil {
		return nil
	}
	header := "profile " + profile
	if profile == "" || profile == "default" {
		header = "default"
	}
	sections := parse(b)
	var kept []string
	var services string
	for _, s := range sections {
		if s.header != header && !(header == "default" && s.header == "profile default") {
			continue
		}
		var lines []string
		lines, services = settingsOf(s.lines, services)
		kept = append(kept, lines...)
	}
	var out bytes.Buffer
	out.WriteString("# Written by tempcreds exec for its child: the settings of profile " + quoteName(profile) +
		", without credential settings. Removed when the command ends.\n[default]\n")
	for _, l := range kept {
		out.WriteString(l + "\n")
	}
	if services != "" {
		for _, s := range sections {
			if s.header == "services "+services {
				out.WriteString("\n[" + s.header + "]\n")
				for _, l := range s.lines {
					out.WriteString(l + "\n")
				}
			}
		}
	}
	return out.Bytes()
}

// settingsOf keeps a section's lines but credential keys (with their
// nested lines), comments and blank lines, and notes a services reference.
func settingsOf(lines []string, services string) ([]string, string) {
	var kept []string
	skipping := false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skipping {
				kept = append(kept, line) // a nested setting (s3 = / addressing_style = path)
			}
			continue
		}
		k, v, _ := strings.Cut(t, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		skipping = credentialKeys[k]
		if skipping {
			continue
		}
		if k == "services" {
			services = strings.TrimSpace(v)
		}
		kept = append(kept, line)
	}
	return kept, services
}

func quoteName(p string) string {
	if p == "" {
		return "default"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, p)
}
