package chain

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds/internal/sharedfiles"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// files are the plan's shared files.
func files(p *Plan) sharedfiles.Files {
	return sharedfiles.Files{Config: p.ConfigFile, Credentials: p.CredentialsFile, ConfigFromEnv: p.configFromEnv, CredentialsFromEnv: p.credentialsFromEnv}
}

// fromProfile reads a profile chain with aws-sdk-go-v2's shared-config
// loader and turns it into a source and role hops.
func fromProfile(ctx context.Context, p *Plan, profile, origin string) error {
	c, err := files(p).ReadChain(ctx, profile, origin, p.CacheDir)
	if err != nil {
		return err
	}
	if c.LoginSources {
		p.loginSources = c.Keys
	}
	leaf := c.Profiles[0]
	if p.Region == "" {
		p.Region = c.Profiles[len(c.Profiles)-1].Region
	}
	p.ConfigProfile = profile
	if p.Endpoint == "" {
		// The profile's endpoint_url is the client's; the key records it.
		p.keyEndpoint = c.Profiles[len(c.Profiles)-1].BaseEndpoint
	}
	names := c.Names()
	p.Profile = strings.Join(names, ">")
	roles := c.Profiles
	consumed, err := profileSource(p, leaf, c.Keys[leaf.Profile])
	if err != nil {
		return err
	}
	if consumed {
		roles = roles[1:]
	}
	p.Warnings = append(p.Warnings, sharedfiles.Warnings(c.Keys, names)...)
	for _, r := range roles {
		if r.RoleARN != "" {
			h, err := roleHop(r, c.Keys[r.Profile])
			if err != nil {
				return err
			}
			p.Hops = append(p.Hops, h)
		}
	}
	return nil
}

// profileSource makes the chain's leaf profile the plan's source, and
// reports whether the leaf is consumed (its own role_arn is not a hop of
// ours: the SDK resolves it, or it is the web identity hop).
func profileSource(p *Plan, leaf *config.SharedConfig, keys map[string]string) (bool, error) {
	// aws-sdk-go-v2 reads SSO settings before login_session: so do we.
	sso := leaf.SSOSessionName != "" || leaf.SSOStartURL != ""
	switch {
	case keys["login_session"] != "" && !sso:
		// An `aws login` session: the SDK resolves it (logincreds).
		p.Source, p.Profile = SourceProfileSDK, leaf.Profile
		p.humanSession, p.loginCommand = "login:"+keys["login_session"], "aws login "+sharedfiles.ProfileArg(leaf.Profile)
	case leaf.Credentials.HasKeys():
		p.Source = SourceStatic
		p.StaticKey, p.staticSecret, p.staticToken = leaf.Credentials.AccessKeyID, leaf.Credentials.SecretAccessKey, leaf.Credentials.SessionToken
		return false, nil
	case leaf.WebIdentityTokenFile != "" && leaf.RoleARN != "":
		if err := ruled(stsrules.RoleARN("RoleARN", leaf.RoleARN), fmt.Sprintf("role_arn of profile %q", leaf.Profile)); err != nil {
			return false, err
		}
		p.Source = SourceWebIdentity
		p.Hops = append(p.Hops, Hop{Kind: HopWebIdentity, RoleARN: leaf.RoleARN,
			SessionName: firstNonEmpty(leaf.RoleSessionName, stsrules.DefaultWebIdentitySessionName), TokenFile: absPath(leaf.WebIdentityTokenFile)})
	case leaf.CredentialProcess != "" && leaf.RoleARN == "":
		p.Source = SourceProcess
		p.Profile, p.ProcessCommand = leaf.Profile, leaf.CredentialProcess
	default:
		// SSO, credential_source, or a profile without credentials: the
		// SDK resolves the leaf profile (its own role included); we take
		// over from the first profile above it.
		p.Source, p.Profile = SourceProfileSDK, leaf.Profile
		if sso {
			p.humanSession = "sso:" + firstNonEmpty(leaf.SSOSessionName, leaf.SSOStartURL)
			p.loginCommand = "aws sso login " + sharedfiles.ProfileArg(leaf.Profile)
		}
	}
	return true, nil
}

// roleHop is a profile's role_arn with its settings, and aws-vault's keys
// from extra: source_identity, session_tags, transitive_session_tags and
// mfa_process.
func roleHop(c *config.SharedConfig, extra map[string]string) (Hop, error) {
	h := Hop{Kind: HopAssumeRole, RoleARN: c.RoleARN, SessionName: c.RoleSessionName, ExternalID: c.ExternalID, MFASerial: c.MFASerial}
	key := func(k string) string { return fmt.Sprintf("%s of profile %q", k, c.Profile) }
	tags, err := sharedfiles.ParseSessionTags(extra["session_tags"])
	if err != nil {
		return h, bad("Tags", key("session_tags"), "", "{{Tags}}: %v (want key1=value1,key2=value2)", err)
	}
	h.SourceIdentity, h.Tags, h.TransitiveTags = extra["source_identity"], tags, sharedfiles.SplitList(extra["transitive_session_tags"])
	for _, check := range []struct {
		v   *stsrules.Violation
		key string
	}{
		{stsrules.RoleARN("RoleARN", c.RoleARN), "role_arn"},
		{stsrules.SessionName("RoleSessionName", c.RoleSessionName), "role_session_name"},
		{stsrules.MFASerial("MFASerial", c.MFASerial), "mfa_serial"},
		{stsrules.ExternalID("ExternalID", c.ExternalID), "external_id"},
		{stsrules.SessionName("SourceIdentity", h.SourceIdentity), "source_identity"},
		{stsrules.Tags("Tags", tags), "session_tags"},
		{stsrules.TransitiveTags("TransitiveTags", "profile's session_tags", h.TransitiveTags, tags), "transitive_session_tags"},
	} {
		if err := ruled(check.v, key(check.key)); err != nil {
			return h, err
		}
	}
	if v := extra["mfa_process"]; v != "" {
		h.MFAProcess, h.mfaProcessName = v, key("mfa_process")
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
