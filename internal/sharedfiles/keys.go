package sharedfiles

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tempcreds/tempcreds/internal/bounded"
)

// ProfileKeys reads the keys of every profile in an AWS config file:
// "[default]" and "[profile NAME]" sections, "key = value" lines. Indented
// lines (a nested section's settings) and comments are skipped.
//
// It is written here because aws-sdk-go-v2's ini parser is internal and its
// SharedConfig keeps only the keys the SDK uses: aws-vault's keys
// (source_identity, session_tags, transitive_session_tags, mfa_process)
// and unknown keys, which we warn about, are dropped there. The SDK's
// loader still reads everything else.
func ProfileKeys(path string) (map[string]map[string]string, error) {
	b, err := bounded.ReadFile(path, bounded.ConfigFile)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, sec := range parse(b) {
		name, ok := strings.CutPrefix(sec.header, "profile ")
		if sec.header == "default" {
			name, ok = "default", true
		}
		if !ok {
			continue
		}
		if out[name] == nil {
			out[name] = map[string]string{}
		}
		for _, line := range sec.lines {
			t := strings.TrimSpace(line)
			if t == "" || line[0] == ' ' || line[0] == '\t' || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
				continue
			}
			if k, v, ok := strings.Cut(t, "="); ok {
				out[name][strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	return out, nil
}

// knownKeys are the profile keys aws-sdk-go-v2, the AWS CLI or tempcreds
// read: any other key of a profile in use gets a warning, once.
var knownKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`region output role_arn source_profile credential_source external_id
		mfa_serial role_session_name duration_seconds aws_access_key_id aws_secret_access_key aws_session_token
		aws_security_token aws_account_id web_identity_token_file credential_process login_session
		sso_session sso_account_id sso_region sso_role_name sso_start_url sso_registration_scopes
		ca_bundle endpoint_url ignore_configured_endpoint_urls services use_fips_endpoint use_dualstack_endpoint
		max_attempts retry_mode defaults_mode sts_regional_endpoints s3_use_arn_region s3_disable_express_session_auth
		ec2_metadata_service_endpoint ec2_metadata_service_endpoint_mode ec2_metadata_v1_disabled
		metadata_service_timeout metadata_service_num_attempts account_id_endpoint_mode auth_scheme_preference
		request_checksum_calculation response_checksum_validation disable_request_compression
		request_min_compression_size_bytes disable_clock_skew_correction sdk_ua_app_id sigv4a_signing_region_set
		parameter_validation tcp_keepalive api_versions s3 cli_pager cli_timestamp_format cli_binary_format
		cli_follow_urlparam cli_auto_prompt cli_history cli_help_output
		source_identity session_tags transitive_session_tags mfa_process`) {
		knownKeys[k] = true
	}
}

// UnknownKeys lists a profile's keys nobody here reads, sorted.
func UnknownKeys(keys map[string]string) []string {
	var out []string
	for k := range keys {
		if !knownKeys[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ParseSessionTags reads aws-vault's session_tags ("k1=v1,k2=v2").
func ParseSessionTags(v string) (map[string]string, error) {
	if v == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", kv)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("the key %q is given twice", k)
		}
		out[k] = strings.TrimSpace(val)
	}
	return out, nil
}

// SplitList reads a comma-separated list ("k1,k2"), each item once.
func SplitList(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
