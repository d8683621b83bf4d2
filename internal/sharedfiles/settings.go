// Package sharedfiles is the shared-config layer: it reads the AWS shared
// config and credentials files. For chain: a profile's source_profile
// chain through aws-sdk-go-v2's loader (ReadChain), every profile's keys as
// written (ProfileKeys: aws-vault's keys and unknown ones, which the SDK
// drops), and the checks that keep the loader from hanging on a FIFO or
// reading /dev/zero. For the CLI: the profile names (completion, tempcreds
// profiles), which keys each profile sets (never their values), and the
// settings a child of exec --server gets.
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

// settingKeys are the profile settings a child keeps: an allowlist, so a
// key no one listed (a credential setting of a future SDK) never reaches
// it. Blocks are keys whose settings are the indented lines below them.
var settingKeys, blockKeys = map[string]bool{}, map[string]bool{"s3": true, "api_versions": true}

// credentialKeys are never kept, not even nested in a block.
var credentialKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`region output retry_mode max_attempts endpoint_url ignore_configured_endpoint_urls
		ca_bundle use_fips_endpoint use_dualstack_endpoint defaults_mode sts_regional_endpoints s3_use_arn_region
		s3_disable_express_session_auth parameter_validation tcp_keepalive disable_request_compression
		request_min_compression_size_bytes request_checksum_calculation response_checksum_validation
		account_id_endpoint_mode auth_scheme_preference sigv4a_signing_region_set sdk_ua_app_id
		cli_pager cli_timestamp_format cli_binary_format cli_follow_urlparam cli_auto_prompt cli_history
		cli_help_output services s3 api_versions`) {
		settingKeys[k] = true
	}
	for _, k := range strings.Fields(`aws_access_key_id aws_secret_access_key aws_session_token aws_security_token
		aws_account_id role_arn source_profile credential_source credential_process web_identity_token_file
		role_session_name external_id mfa_serial duration_seconds sso_session sso_account_id sso_region
		sso_role_name sso_start_url sso_registration_scopes login_session source_identity session_tags
		transitive_session_tags mfa_process`) {
		credentialKeys[k] = true
	}
}

// setting reads a line as botocore's parser does (a key, then "=" or ":",
// then the value) and refuses one a child must not get: a value with a
// control character (a lone CR that another parser reads as a new line),
// or a key that is not a plain name.
func setting(line string) (key, value string, ok bool) {
	t := strings.TrimSpace(line)
	i := strings.IndexAny(t, "=:")
	if i <= 0 {
		return "", "", false
	}
	key, value = strings.ToLower(strings.TrimSpace(t[:i])), strings.TrimSpace(t[i+1:])
	if strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" || strings.ContainsFunc(value, func(r rune) bool {
		return r < 0x20 && r != '\t' || r == 0x7f
	}) {
		return "", "", false
	}
	return key, value, true
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
				for _, l := range servicesOf(s.lines) {
					out.WriteString(l + "\n")
				}
			}
		}
	}
	return out.Bytes()
}

// settingsOf keeps a section's settings that are on the allowlist, each
// written anew as "key = value" (never copied as it was: nothing in a line
// can become a line of its own), with a block's nested settings, and notes
// a services reference.
func settingsOf(lines []string, services string) ([]string, string) {
	var kept []string
	block := "" // the allowed block whose nested lines are being read
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		k, v, ok := setting(line)
		if line[0] == ' ' || line[0] == '\t' {
			if block != "" && ok && !credentialKeys[k] {
				kept = append(kept, "  "+k+" = "+v)
			}
			continue
		}
		block = ""
		if !ok || !settingKeys[k] {
			continue
		}
		if blockKeys[k] && v == "" {
			block = k
		}
		if k == "services" {
			services = v
		}
		kept = append(kept, k+" = "+v)
	}
	return kept, services
}

// servicesOf keeps a [services NAME] section's endpoints: "service ="
// lines and their nested endpoint_url, each written anew.
func servicesOf(lines []string) []string {
	var kept []string
	service := false
	for _, line := range lines {
		k, v, ok := setting(line)
		switch {
		case !ok:
		case line[0] != ' ' && line[0] != '\t':
			service = v == ""
			if service {
				kept = append(kept, k+" =")
			}
		case service && k == "endpoint_url":
			kept = append(kept, "  endpoint_url = "+v)
		}
	}
	return kept
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
