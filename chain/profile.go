package chain

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// maxProfileChain bounds a source_profile chain.
const maxProfileChain = 16

// fromProfile reads a profile chain with aws-sdk-go-v2's shared-config
// loader and turns it into a source and role hops.
func (p *Plan) fromProfile(ctx context.Context, profile, origin string) error {
	if err := p.checkSharedFiles(); err != nil {
		return err
	}
	extra, err := profileKeys(p.ConfigFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		extra = nil // no config file (keys in the credentials file only): no extra keys
	case err != nil:
		origin, what := "", "the AWS config file"
		if p.configFromEnv {
			origin, what = "AWS_CONFIG_FILE", "AWS_CONFIG_FILE"
		}
		e := bad(FieldConfigFile, origin, "", "%s %s cannot be read", what, p.ConfigFile)
		e.Err = errors.Unwrap(err)
		if e.Err == nil {
			e.Err = err
		}
		return e
	}
	if err := checkCredentialSources(extra, profile); err != nil {
		return err
	}
	cfg, err := p.loadProfile(ctx, profile, "")
	var re config.SharedConfigAssumeRoleError
	if errors.As(err, &re) && re.Err == nil && extra[re.Profile]["login_session"] != "" {
		// An `aws login` profile as a source_profile: aws-sdk-go-v2's
		// loader refuses it (aws-sdk-go-v2#3446) though the AWS CLI takes
		// it. Load the chain from a copy where login profiles look
		// credentialed to the loader; the login profile itself is then
		// resolved by the SDK's own logincreds, from the real file.
		cfg, err = p.loadWithLoginSources(ctx, profile, extra)
	}
	if err != nil {
		var ce *tempcreds.ConfigError
		var ne config.SharedConfigProfileNotExistError
		switch {
		case errors.As(err, &ce):
			return err
		case errors.As(err, &ne):
			if ne.Profile == profile {
				return bad("Profile", origin, ne.Profile, "{{Profile}} {{value}} is not in the AWS config or credentials file")
			}
			return bad("Profile", "", ne.Profile, "profile {{value}} is not in the AWS config or credentials file")
		case errors.As(err, &re):
			if re.Err != nil {
				e := bad("Profile", "", re.Profile, "profile chain of %q: source_profile {{value}}", profile)
				e.Err = re.Err
				return e
			}
			return bad("Profile", "", re.Profile, "profile chain of %q: source_profile {{value}} has no credentials (a source_profile cycle, or a profile without keys)", profile)
		}
		e := bad("Profile", "", profile, "reading profile {{value}}")
		e.Err = err
		return e
	}
	if p.Region == "" {
		p.Region = cfg.Region
	}
	p.ConfigProfile = profile
	if p.Endpoint == "" {
		// The profile's endpoint_url is the client's; the key records it.
		p.keyEndpoint = cfg.BaseEndpoint
	}
	var chain []*config.SharedConfig
	for c := &cfg; c != nil; c = c.Source {
		chain = append([]*config.SharedConfig{c}, chain...)
	}
	if len(chain) > maxProfileChain {
		return bad("Profile", "", profile, "profile chain of {{value}} is deeper than %d profiles", maxProfileChain)
	}
	leaf := chain[0]
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = c.Profile
	}
	p.Profile = strings.Join(names, ">")
	// aws-sdk-go-v2 reads SSO settings before login_session: so do we.
	loginSession := extra[leaf.Profile]["login_session"]
	if leaf.SSOSessionName != "" || leaf.SSOStartURL != "" {
		loginSession = ""
	}
	switch {
	case loginSession != "":
		// An `aws login` session: the SDK resolves it (logincreds).
		p.Source, p.Profile = SourceProfileSDK, leaf.Profile
		p.HumanSession, p.LoginCommand = "login:"+loginSession, "aws login "+profileArg(leaf.Profile)
		chain = chain[1:]
	case leaf.Credentials.HasKeys():
		p.Source = SourceStatic
		p.StaticKey, p.staticSecret, p.staticToken = leaf.Credentials.AccessKeyID, leaf.Credentials.SecretAccessKey, leaf.Credentials.SessionToken
	case leaf.WebIdentityTokenFile != "" && leaf.RoleARN != "":
		if err := checkARN("RoleARN", fmt.Sprintf("role_arn of profile %q", leaf.Profile), leaf.RoleARN); err != nil {
			return err
		}
		p.Source = SourceWebIdentity
		p.Hops = append(p.Hops, Hop{Kind: HopWebIdentity, RoleARN: leaf.RoleARN,
			SessionName: firstNonEmpty(leaf.RoleSessionName, "web-identity"), TokenFile: absPath(leaf.WebIdentityTokenFile)})
		chain = chain[1:]
	case leaf.CredentialProcess != "" && leaf.RoleARN == "":
		p.Source = SourceProcess
		p.Profile, p.ProcessCommand = leaf.Profile, leaf.CredentialProcess
		chain = chain[1:]
	default:
		// SSO, aws login, credential_source, or a profile without
		// credentials: the SDK resolves the leaf profile (its own role
		// included); we take over from the first profile above it.
		p.Source = SourceProfileSDK
		p.Profile = leaf.Profile
		chain = chain[1:]
		if leaf.SSOSessionName != "" || leaf.SSOStartURL != "" {
			p.HumanSession = "sso:" + firstNonEmpty(leaf.SSOSessionName, leaf.SSOStartURL)
			p.LoginCommand = "aws sso login " + profileArg(leaf.Profile)
		}
	}
	for _, name := range names {
		hidden := false
		for _, k := range unknownKeys(extra[name]) {
			if !keyName(k) {
				hidden = true // never echo it: a wrapped or pasted secret looks like this
				continue
			}
			p.Warnings = append(p.Warnings, fmt.Sprintf("profile %q: tempcreds does not read the key %q (ignored)", name, k))
		}
		if hidden {
			p.Warnings = append(p.Warnings, fmt.Sprintf("profile %q: a line is not a setting (not shown: it may hold a secret); "+
				"look for a value wrapped onto a line of its own, or a missing \"=\"", name))
		}
	}
	for _, c := range chain {
		if c.RoleARN != "" {
			h, err := roleHop(c, extra[c.Profile])
			if err != nil {
				return err
			}
			p.Hops = append(p.Hops, h)
		}
	}
	return nil
}

// loadProfile calls aws-sdk-go-v2's shared-config loader. Its ini parser
// panics on some malformed values (a lone `"`, found by FuzzProfileConfig):
// that becomes a configuration error instead of a crash.
func (p *Plan) loadProfile(ctx context.Context, profile, configFile string) (cfg config.SharedConfig, err error) {
	if configFile == "" {
		configFile = p.ConfigFile
	}
	if err := p.checkSharedFiles(); err != nil {
		return cfg, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = bad(FieldConfigFile, "", "", "the AWS config or credentials file could not be parsed "+
				"(aws-sdk-go-v2's parser failed: look for an unbalanced quote in a value)")
		}
	}()
	return config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{configFile}
		o.CredentialsFiles = []string{p.CredentialsFile}
	})
}

// loadWithLoginSources loads the profile chain through withLoginSources.
func (p *Plan) loadWithLoginSources(ctx context.Context, profile string, extra map[string]map[string]string) (cfg config.SharedConfig, err error) {
	p.loginSources = extra
	err = p.withLoginSources(func(path string) error {
		cfg, err = p.loadProfile(ctx, profile, path)
		return err
	})
	return cfg, err
}

// withLoginSources calls load with a temporary copy of the config file in
// which every login_session profile also has a placeholder
// credential_process: aws-sdk-go-v2's loader then accepts it as a
// source_profile. The placeholder is never run (fromProfile sees the
// login_session first; the SDK resolves the login profile from the real
// file). The copy holds no secret (the config file, not the credentials
// file) and is removed as soon as load returns. It may hold keys the
// config file holds, so it is written owner-only into the cache directory
// (0700), where the next cache write sweeps it if a SIGKILL left it
// behind; with no cache directory, into the temporary directory.
func (p *Plan) withLoginSources(load func(path string) error) error {
	b, err := bounded.ReadFile(p.ConfigFile, bounded.ConfigFile)
	if err != nil {
		return err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(b), "\n") {
		out.WriteString(line)
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
			continue
		}
		name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t[1:len(t)-1]), "profile "))
		if keys := p.loginSources[name]; keys["login_session"] != "" && keys["credential_process"] == "" {
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n")
			}
			out.WriteString("credential_process = tempcreds-login-placeholder\n")
		}
	}
	dir := p.CacheDir
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := safefile.CreateTemp(dir, "aws-config")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(out.String()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return load(f.Name())
}

// checkSharedFiles refuses a config or credentials file the SDK's loader
// would hang on (a FIFO) or read without limit (/dev/zero, a huge file)
// before the loader opens it. The files are optional: missing is fine.
func (p *Plan) checkSharedFiles() error {
	for _, f := range []struct {
		field, name, path string
		fromEnv           bool
	}{
		{FieldConfigFile, "AWS_CONFIG_FILE", p.ConfigFile, p.configFromEnv},
		{FieldCredentialsFile, "AWS_SHARED_CREDENTIALS_FILE", p.CredentialsFile, p.credentialsFromEnv},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			continue
		}
		origin, what := "", "the AWS config file"
		if f.field == FieldCredentialsFile {
			what = "the AWS credentials file"
		}
		if f.fromEnv {
			origin, what = f.name, f.name
		}
		if !st.Mode().IsRegular() {
			return bad(f.field, origin, "", "%s %s is not a regular file (a FIFO, a device or a directory): the AWS config must be a file", what, f.path)
		}
		if st.Size() > bounded.ConfigFile {
			e := bad(f.field, origin, "", "%s %s is %d bytes, more than the %d an AWS config file may have here", what, f.path, st.Size(), bounded.ConfigFile)
			e.Limit = fmt.Sprintf("%d bytes", bounded.ConfigFile)
			return e
		}
	}
	return nil
}

// keyName reports whether an unknown key looks like a setting's name
// (lower-case letters, digits, underscores; 32 at most), safe to show: a
// secret is longer, or has other characters.
func keyName(k string) bool {
	return k != "" && len(k) <= 32 && k[0] >= 'a' && k[0] <= 'z' && strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// credentialSources are the values of credential_source the SDKs take.
var credentialSources = []string{"Environment", "Ec2InstanceMetadata", "EcsContainer"}

// checkCredentialSources refuses, before the SDK's loader reports it in its
// own words, a credential_source no SDK knows on the profile's
// source_profile chain, naming the profile and the value.
func checkCredentialSources(extra map[string]map[string]string, profile string) error {
	seen := map[string]bool{}
	for name := profile; name != "" && !seen[name] && len(seen) < maxProfileChain; name = extra[name]["source_profile"] {
		seen[name] = true
		if v := extra[name]["credential_source"]; v != "" && !slices.Contains(credentialSources, v) {
			return bad("Profile", fmt.Sprintf("credential_source of profile %q", name), v,
				"{{Profile}} {{value}} is not one of Environment, Ec2InstanceMetadata or EcsContainer")
		}
	}
	return nil
}

// roleHop is a profile's role_arn with its settings, and aws-vault's keys
// from extra: source_identity, session_tags, transitive_session_tags and
// mfa_process.
func roleHop(c *config.SharedConfig, extra map[string]string) (Hop, error) {
	h := Hop{Kind: HopAssumeRole, RoleARN: c.RoleARN, SessionName: c.RoleSessionName, ExternalID: c.ExternalID, MFASerial: c.MFASerial}
	key := func(k string) string { return fmt.Sprintf("%s of profile %q", k, c.Profile) }
	if err := checkARN("RoleARN", key("role_arn"), c.RoleARN); err != nil {
		return h, err
	}
	if err := checkSession(c.RoleSessionName, key("role_session_name"), c.MFASerial, key("mfa_serial"), c.ExternalID, key("external_id")); err != nil {
		return h, err
	}
	if v := extra["source_identity"]; v != "" {
		if !tempcreds.ValidSessionName(v) {
			return h, bad("SourceIdentity", key("source_identity"), v, "{{SourceIdentity}} {{value}} must be 2 to 64 characters of letters, digits and +=,.@_-")
		}
		h.SourceIdentity = v
	}
	tags, err := parseSessionTags(extra["session_tags"])
	if err != nil {
		return h, bad("Tags", key("session_tags"), "", "{{Tags}}: %v (want key1=value1,key2=value2)", err)
	}
	if err := checkTags("Tags", key("session_tags"), tags); err != nil {
		return h, err
	}
	h.Tags = tags
	for _, k := range splitList(extra["transitive_session_tags"]) {
		if _, ok := tags[k]; !ok {
			return h, bad("TransitiveTags", key("transitive_session_tags"), k, "{{TransitiveTags}} {{value}} is not one of the profile's session_tags")
		}
		h.TransitiveTags = append(h.TransitiveTags, k)
	}
	if v := extra["mfa_process"]; v != "" {
		h.MFAProcess, h.MFAProcessName = v, key("mfa_process")
	}
	if c.RoleDurationSeconds != nil {
		h.Duration = *c.RoleDurationSeconds
		h.DurationOrigin = fmt.Sprintf("duration_seconds of profile %q", c.Profile)
		if h.Duration == 0 {
			// The SDK's loader turns a value that is not a number into
			// 0; never ignore it silently.
			h.Duration = -1
		}
	}
	return h, nil
}

// shellWord quotes a profile name for a command the user will paste: bare
// when it is only letters, digits and ._-@+, else in single quotes.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@+", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// profileArg is --profile NAME for a command to paste (--profile=NAME when
// the name starts with a dash, which a parser would take for a flag).
func profileArg(name string) string {
	if strings.HasPrefix(name, "-") {
		return "--profile=" + shellWord(name)
	}
	return "--profile " + shellWord(name)
}
