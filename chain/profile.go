package chain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
)

// maxProfileChain bounds a source_profile chain.
const maxProfileChain = 16

// fromProfile reads a profile chain with aws-sdk-go-v2's shared-config
// loader and turns it into a source and role hops.
func (p *Plan) fromProfile(ctx context.Context, profile string) error {
	cfg, err := p.loadProfile(ctx, profile)
	if err != nil {
		var ce *tempcreds.ConfigError
		var ne config.SharedConfigProfileNotExistError
		var re config.SharedConfigAssumeRoleError
		switch {
		case errors.As(err, &ce):
			return err
		case errors.As(err, &ne):
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
		p.KeyEndpoint = cfg.BaseEndpoint
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
	switch {
	case leaf.Credentials.HasKeys():
		p.Source = SourceStatic
		p.StaticKey, p.staticSecret, p.staticToken = leaf.Credentials.AccessKeyID, leaf.Credentials.SecretAccessKey, leaf.Credentials.SessionToken
	case leaf.WebIdentityTokenFile != "" && leaf.RoleARN != "":
		p.Source = SourceWebIdentity
		p.Hops = append(p.Hops, Hop{Kind: HopWebIdentity, RoleARN: leaf.RoleARN,
			SessionName: firstNonEmpty(leaf.RoleSessionName, "web-identity"), TokenFile: absPath(leaf.WebIdentityTokenFile)})
		chain = chain[1:]
	case leaf.CredentialProcess != "" && leaf.RoleARN == "":
		p.Source = SourceProcess
		p.Profile, p.ProcessCommand = leaf.Profile, leaf.CredentialProcess
		chain = chain[1:]
	default:
		// SSO, credential_source, or a profile without credentials: the
		// SDK resolves the leaf profile (its own role included); we take
		// over from the first profile above it.
		p.Source = SourceProfileSDK
		p.Profile = leaf.Profile
		chain = chain[1:]
	}
	for _, c := range chain {
		if c.RoleARN != "" {
			p.Hops = append(p.Hops, roleHop(c))
		}
	}
	return nil
}

// loadProfile calls aws-sdk-go-v2's shared-config loader. Its ini parser
// panics on some malformed values (a lone `"`, found by FuzzProfileConfig):
// that becomes a configuration error instead of a crash.
func (p *Plan) loadProfile(ctx context.Context, profile string) (cfg config.SharedConfig, err error) {
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
		o.ConfigFiles = []string{p.ConfigFile}
		o.CredentialsFiles = []string{p.CredentialsFile}
	})
}

// checkSharedFiles refuses a config or credentials file the SDK's loader
// would hang on (a FIFO) or read without limit (/dev/zero, a huge file)
// before the loader opens it. The files are optional: missing is fine.
func (p *Plan) checkSharedFiles() error {
	for _, f := range []struct{ field, name, path string }{
		{FieldConfigFile, "AWS_CONFIG_FILE", p.ConfigFile},
		{FieldCredentialsFile, "AWS_SHARED_CREDENTIALS_FILE", p.CredentialsFile},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			continue
		}
		if !st.Mode().IsRegular() {
			return bad(f.field, f.name, "", "%s %s is not a regular file (a FIFO, a device or a directory): the AWS config must be a file", f.name, f.path)
		}
		if st.Size() > bounded.ConfigFile {
			e := bad(f.field, f.name, "", "%s %s is %d bytes, more than the %d an AWS config file may have here", f.name, f.path, st.Size(), bounded.ConfigFile)
			e.Limit = fmt.Sprintf("%d bytes", bounded.ConfigFile)
			return e
		}
	}
	return nil
}

// roleHop is a profile's role_arn with its settings.
func roleHop(c *config.SharedConfig) Hop {
	h := Hop{Kind: HopAssumeRole, RoleARN: c.RoleARN, SessionName: c.RoleSessionName, ExternalID: c.ExternalID, MFASerial: c.MFASerial}
	if c.RoleDurationSeconds != nil {
		h.Duration = *c.RoleDurationSeconds
		h.DurationOrigin = fmt.Sprintf("duration_seconds of profile %q", c.Profile)
		if h.Duration == 0 {
			// The SDK's loader turns a value that is not a number into
			// 0; never ignore it silently.
			h.Duration = -1
		}
	}
	return h
}
